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
                // Row j is read from memory once, front to back; for i > 0 it is still in L1.
                for (int i = 0; i < m; i++) y[yOff + i * n + j] = dot4(w, wOff + j * k, x, xOff + i * k, k) + b;
            }
        });
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
        float r = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) r += w[wAt + p] * x[xAt + p];
        return r;
    }
}
