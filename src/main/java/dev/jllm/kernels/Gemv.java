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
    /** Weight rows per task unit: enough work to amortize a task, small enough to balance the threads. */
    private static final int ROWS_PER_UNIT = 64;

    static void multiply(float[] x, int xOff, float[] w, int wOff, float[] bias, float[] y, int yOff,
                         int m, int k, int n) {
        Parallel.forRange((n + ROWS_PER_UNIT - 1) / ROWS_PER_UNIT, (u0, u1) -> {
            int j1 = Math.min(n, u1 * ROWS_PER_UNIT);
            for (int i = 0; i < m; i++) {
                int j = u0 * ROWS_PER_UNIT;
                for (; j + 4 <= j1; j += 4) rows4(w, wOff + j * k, k, x, xOff + i * k, bias, j, y, yOff + i * n + j);
                for (; j < j1; j++) {
                    y[yOff + i * n + j] = dot(w, wOff + j * k, x, xOff + i * k, k) + (bias == null ? 0f : bias[j]);
                }
            }
        });
    }

    /** y[yAt + r] = W[row r] · x (+ bias[j + r]) for the four consecutive weight rows starting at w[wAt]. */
    private static void rows4(float[] w, int wAt, int k, float[] x, int xAt, float[] bias, int j, float[] y, int yAt) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        int bound = S.loopBound(k), p = 0;
        for (; p < bound; p += V) {
            FloatVector xv = FloatVector.fromArray(S, x, xAt + p);
            s0 = FloatVector.fromArray(S, w, wAt + p).fma(xv, s0);
            s1 = FloatVector.fromArray(S, w, wAt + k + p).fma(xv, s1);
            s2 = FloatVector.fromArray(S, w, wAt + 2 * k + p).fma(xv, s2);
            s3 = FloatVector.fromArray(S, w, wAt + 3 * k + p).fma(xv, s3);
        }
        float r0 = s0.reduceLanes(VectorOperators.ADD), r1 = s1.reduceLanes(VectorOperators.ADD);
        float r2 = s2.reduceLanes(VectorOperators.ADD), r3 = s3.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            float xp = x[xAt + p];
            r0 += w[wAt + p] * xp;
            r1 += w[wAt + k + p] * xp;
            r2 += w[wAt + 2 * k + p] * xp;
            r3 += w[wAt + 3 * k + p] * xp;
        }
        if (bias != null) {
            r0 += bias[j];
            r1 += bias[j + 1];
            r2 += bias[j + 2];
            r3 += bias[j + 3];
        }
        y[yAt] = r0;
        y[yAt + 1] = r1;
        y[yAt + 2] = r2;
        y[yAt + 3] = r3;
    }

    /** The dot product of k floats of a at aAt and b at bAt. */
    static float dot(float[] a, int aAt, float[] b, int bAt, int k) {
        FloatVector s = FloatVector.zero(S);
        int bound = S.loopBound(k), p = 0;
        for (; p < bound; p += V) s = FloatVector.fromArray(S, a, aAt + p).fma(FloatVector.fromArray(S, b, bAt + p), s);
        float r = s.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) r += a[aAt + p] * b[bAt + p];
        return r;
    }
}
