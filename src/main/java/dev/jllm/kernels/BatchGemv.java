package dev.jllm.kernels;

import static dev.jllm.kernels.Elementwise.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Y[M,N] = X[M,K] · W[N,K]ᵀ (+ bias) for the rows of a decoding batch (one row per sequence, a few dozen at most):
 * each weight row is streamed from memory once for all M rows, so a step of M sequences reads the weights once.
 *
 * <p>Every Y(i, j) is computed exactly as {@link Elementwise#dot}(W row j, X row i) (+ bias): one vector
 * accumulator over K front to back, its lanes summed, then the scalar tail. A row's result is therefore bitwise the
 * same whatever the other rows, their number or the thread count: a sequence decodes the same tokens alone or in a
 * batch. The inner tile (2 weight rows × 4 X rows, eight accumulators) loads 6 vectors per 8 FMAs.
 */
public final class BatchGemv {
    private BatchGemv() {}

    /** Weight rows per unit a thread claims. */
    private static final int ROWS_PER_UNIT = 32;

    public static void multiply(float[] x, int xOff, float[] w, int wOff, float[] bias, float[] y, int yOff,
                                int m, int k, int n) {
        Parallel.forEachUnit((n + ROWS_PER_UNIT - 1) / ROWS_PER_UNIT, (u0, u1) -> {
            int j1 = Math.min(n, u1 * ROWS_PER_UNIT);
            int j = u0 * ROWS_PER_UNIT;
            for (; j + 1 < j1; j += 2) {
                int i = 0;
                if (Elementwise.vectorEnd(k) > 0) for (; i + 3 < m; i += 4) tile(x, xOff, w, wOff, y, yOff, i, j, k, n);
                for (; i < m; i++) {
                    y[yOff + i * n + j] = Elementwise.dot(w, wOff + j * k, x, xOff + i * k, k);
                    y[yOff + i * n + j + 1] = Elementwise.dot(w, wOff + (j + 1) * k, x, xOff + i * k, k);
                }
            }
            for (; j < j1; j++) {
                for (int i = 0; i < m; i++) y[yOff + i * n + j] = Elementwise.dot(w, wOff + j * k, x, xOff + i * k, k);
            }
            if (bias != null) {
                for (int i = 0; i < m; i++) {
                    for (int jj = u0 * ROWS_PER_UNIT; jj < j1; jj++) y[yOff + i * n + jj] += bias[jj];
                }
            }
        });
    }

    /** Y(i … i+3, j … j+1), each element as {@link Elementwise#dot} computes it. */
    private static void tile(float[] x, int xOff, float[] w, int wOff, float[] y, int yOff, int i, int j, int k, int n) {
        int w0 = wOff + j * k, w1 = w0 + k;
        int x0 = xOff + i * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        int u = Elementwise.vectorEnd(k), p = 0;
        for (; p < u; p += F.length()) {
            FloatVector v0 = FloatVector.fromArray(F, w, w0 + p), v1 = FloatVector.fromArray(F, w, w1 + p);
            FloatVector c0 = FloatVector.fromArray(F, x, x0 + p), c1 = FloatVector.fromArray(F, x, x1 + p);
            FloatVector c2 = FloatVector.fromArray(F, x, x2 + p), c3 = FloatVector.fromArray(F, x, x3 + p);
            a0 = v0.fma(c0, a0);
            a1 = v0.fma(c1, a1);
            a2 = v0.fma(c2, a2);
            a3 = v0.fma(c3, a3);
            b0 = v1.fma(c0, b0);
            b1 = v1.fma(c1, b1);
            b2 = v1.fma(c2, b2);
            b3 = v1.fma(c3, b3);
        }
        FloatVector[] acc = {a0, a1, a2, a3, b0, b1, b2, b3};
        for (int r = 0; r < 8; r++) {
            int wr = r < 4 ? w0 : w1, xr = xOff + (i + r % 4) * k;
            float s = acc[r].reduceLanes(VectorOperators.ADD);
            for (int q = p; q < k; q++) s += w[wr + q] * x[xr + q];
            y[yOff + (i + r % 4) * n + j + r / 4] = s;
        }
    }
}
