package dev.jllm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Y[M,N] = X[M,K] · W[N,K]ᵀ (+ bias) for a few rows of X, above all M = 1 (one-token decoding): each weight row
 * is streamed once from memory, four rows at a time with independent accumulators, while the few X rows stay in
 * L1. Nothing is packed, because at M ≤ {@link #MAX_ROWS} a packed copy of W would cost more than the product.
 */
final class Gemv {
    private Gemv() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** Largest M for which streaming W beats packing it. */
    static final int MAX_ROWS = 4;
    /** Weight rows per unit a thread claims: 64 rows of 768–4096 floats, long sequential streams. */
    private static final int ROWS_PER_UNIT = 64;

    static void multiply(float[] x, int xOff, float[] w, int wOff, float[] bias, float[] y, int yOff,
                         int m, int k, int n) {
        FlopCounter.add(m, n, k);
        Parallel.forEachUnit((n + ROWS_PER_UNIT - 1) / ROWS_PER_UNIT, (u0, u1) -> {
            int j1 = Math.min(n, u1 * ROWS_PER_UNIT);
            for (int j = u0 * ROWS_PER_UNIT; j < j1; j++) {
                float b = bias == null ? 0f : bias[j];
                // Row j is read from memory once, front to back; for the next X rows it is still in L1.
                int i = 0;
                for (; i + X_TILE <= m; i += X_TILE) dot4Rows(w, wOff + j * k, x, xOff + i * k, k, y, yOff + i * n + j, n, b);
                for (; i < m; i++) y[yOff + i * n + j] = dot4(w, wOff + j * k, x, xOff + i * k, k) + b;
            }
        });
    }

    /** X rows that share each load of a weight vector (a decoding batch of 4 or more rows). */
    static final int X_TILE = 4;

    /**
     * {@link #dot4} of one weight row with {@link #X_TILE} consecutive rows of X at once, each weight vector loaded
     * once for all four (20 loads per 16 FMAs instead of 32), written to y[yAt + i·n] (+ b). Each of the four
     * results is computed with exactly the operations of {@code dot4} on that row alone, in the same order, so a row
     * gets the same value in a tile as by itself.
     */
    private static void dot4Rows(float[] w, int wAt, float[] x, int xAt, int k, float[] y, int yAt, int n, float b) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0; // row 0's four accumulators
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0;
        FloatVector d0 = a0, d1 = a0, d2 = a0, d3 = a0;
        int xa = xAt, xb = xAt + k, xc = xAt + 2 * k, xd = xAt + 3 * k;
        int bound4 = k - k % (4 * V), p = 0;
        for (; p < bound4; p += 4 * V) {
            FloatVector w0 = FloatVector.fromArray(S, w, wAt + p), w1 = FloatVector.fromArray(S, w, wAt + p + V);
            FloatVector w2 = FloatVector.fromArray(S, w, wAt + p + 2 * V), w3 = FloatVector.fromArray(S, w, wAt + p + 3 * V);
            a0 = w0.fma(FloatVector.fromArray(S, x, xa + p), a0);
            a1 = w1.fma(FloatVector.fromArray(S, x, xa + p + V), a1);
            a2 = w2.fma(FloatVector.fromArray(S, x, xa + p + 2 * V), a2);
            a3 = w3.fma(FloatVector.fromArray(S, x, xa + p + 3 * V), a3);
            b0 = w0.fma(FloatVector.fromArray(S, x, xb + p), b0);
            b1 = w1.fma(FloatVector.fromArray(S, x, xb + p + V), b1);
            b2 = w2.fma(FloatVector.fromArray(S, x, xb + p + 2 * V), b2);
            b3 = w3.fma(FloatVector.fromArray(S, x, xb + p + 3 * V), b3);
            c0 = w0.fma(FloatVector.fromArray(S, x, xc + p), c0);
            c1 = w1.fma(FloatVector.fromArray(S, x, xc + p + V), c1);
            c2 = w2.fma(FloatVector.fromArray(S, x, xc + p + 2 * V), c2);
            c3 = w3.fma(FloatVector.fromArray(S, x, xc + p + 3 * V), c3);
            d0 = w0.fma(FloatVector.fromArray(S, x, xd + p), d0);
            d1 = w1.fma(FloatVector.fromArray(S, x, xd + p + V), d1);
            d2 = w2.fma(FloatVector.fromArray(S, x, xd + p + 2 * V), d2);
            d3 = w3.fma(FloatVector.fromArray(S, x, xd + p + 3 * V), d3);
        }
        for (int bound = S.loopBound(k); p < bound; p += V) {
            FloatVector w0 = FloatVector.fromArray(S, w, wAt + p);
            a0 = w0.fma(FloatVector.fromArray(S, x, xa + p), a0);
            b0 = w0.fma(FloatVector.fromArray(S, x, xb + p), b0);
            c0 = w0.fma(FloatVector.fromArray(S, x, xc + p), c0);
            d0 = w0.fma(FloatVector.fromArray(S, x, xd + p), d0);
        }
        float ra = LaneSum.sum(a0.add(a1).add(a2.add(a3)));
        float rb = LaneSum.sum(b0.add(b1).add(b2.add(b3)));
        float rc = LaneSum.sum(c0.add(c1).add(c2.add(c3)));
        float rd = LaneSum.sum(d0.add(d1).add(d2.add(d3)));
        for (; p < k; p++) {
            float wp = w[wAt + p];
            ra += wp * x[xa + p];
            rb += wp * x[xb + p];
            rc += wp * x[xc + p];
            rd += wp * x[xd + p];
        }
        y[yAt] = ra + b;
        y[yAt + n] = rb + b;
        y[yAt + 2 * n] = rc + b;
        y[yAt + 3 * n] = rd + b;
    }

    /**
     * The dot product of k floats of w at wAt and x at xAt with four independent accumulators, so that one weight
     * row streams front to back at full speed. (Four rows side by side, one accumulator each, would read four
     * 4 KiB streams at once, each too short for the hardware prefetcher: a third slower.)
     */
    private static float dot4(float[] w, int wAt, float[] x, int xAt, int k) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        int bound4 = k - k % (4 * V), p = 0;
        for (; p < bound4; p += 4 * V) {
            s0 = FloatVector.fromArray(S, w, wAt + p).fma(FloatVector.fromArray(S, x, xAt + p), s0);
            s1 = FloatVector.fromArray(S, w, wAt + p + V).fma(FloatVector.fromArray(S, x, xAt + p + V), s1);
            s2 = FloatVector.fromArray(S, w, wAt + p + 2 * V).fma(FloatVector.fromArray(S, x, xAt + p + 2 * V), s2);
            s3 = FloatVector.fromArray(S, w, wAt + p + 3 * V).fma(FloatVector.fromArray(S, x, xAt + p + 3 * V), s3);
        }
        for (int bound = S.loopBound(k); p < bound; p += V) {
            s0 = FloatVector.fromArray(S, w, wAt + p).fma(FloatVector.fromArray(S, x, xAt + p), s0);
        }
        float r = LaneSum.sum(s0.add(s1).add(s2.add(s3)));
        for (; p < k; p++) r += w[wAt + p] * x[xAt + p];
        return r;
    }
}
