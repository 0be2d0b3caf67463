package dev.jllm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Root-mean-square normalisation over the last dimension of a [rows, C] matrix:
 * y = x / √(mean(x²) + eps) · (offset + w). Offset 0 is Llama's and Qwen's RMSNorm; offset 1 is Gemma's, whose
 * weights start at 0. Rows in parallel; within a row, vector loops with scalar tails.
 */
public final class RmsNormKernel {
    private RmsNormKernel() {}

    private static final VectorSpecies<Float> F = Elementwise.F;
    private static final int L = F.length();

    /** x, y: [rows, C]; w: [C]; rstd: [rows] saved for backward (may be null in inference). y may be x. */
    public static void forward(float[] x, float[] w, float offset, float eps, float[] y, float[] rstd, int rows, int c) {
        Elementwise.forRows(rows, 3L * c, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int off = r * c;
                float s = (float) (1.0 / Math.sqrt(Elementwise.dot(x, off, x, off, c) / c + eps));
                if (rstd != null) rstd[r] = s;
                int i = 0;
                for (int u = Elementwise.vectorEnd(c); i < u; i += L) {
                    FloatVector scale = FloatVector.fromArray(F, w, i).add(offset);
                    FloatVector.fromArray(F, x, off + i).mul(s).mul(scale).intoArray(y, off + i);
                }
                for (; i < c; i++) y[off + i] = x[off + i] * s * (offset + w[i]);
            }
        });
    }

    /**
     * Given dy [rows, C], adds into dx [rows, C] and dw [C] (either may be null). With n = x·rstd and
     * g = dy·(offset + w): dx = rstd · (g − n · mean(g·n)), dw = Σ_rows dy·n.
     */
    public static void backward(float[] x, float[] w, float offset, float[] rstd, float[] dy, float[] dx, float[] dw,
                                int rows, int c) {
        if (dx != null) {
            Elementwise.forRows(rows, 5L * c, (r0, r1) -> {
                for (int r = r0; r < r1; r++) inputGradientRow(x, w, offset, rstd[r], dy, dx, r * c, c);
            });
        }
        if (dw != null) {
            // Parallel over column blocks, rows summed in order: no shared writes, same result for any thread count.
            Elementwise.forRows(c, 2L * rows, (c0, c1) -> {
                for (int r = 0; r < rows; r++) {
                    int off = r * c;
                    float s = rstd[r];
                    for (int i = c0; i < c1; i++) dw[i] += dy[off + i] * x[off + i] * s;
                }
            });
        }
    }

    private static void inputGradientRow(float[] x, float[] w, float offset, float s, float[] dy, float[] dx,
                                         int off, int c) {
        float gn = 0f; // Σ g·n
        int i = 0;
        int u = Elementwise.vectorEnd(c);
        if (u > 0) {
            FloatVector acc = FloatVector.zero(F);
            for (; i < u; i += L) {
                FloatVector g = FloatVector.fromArray(F, dy, off + i).mul(FloatVector.fromArray(F, w, i).add(offset));
                acc = FloatVector.fromArray(F, x, off + i).mul(s).fma(g, acc);
            }
            gn = LaneSum.sum(acc);
        }
        for (; i < c; i++) gn += dy[off + i] * (offset + w[i]) * x[off + i] * s;
        float gnMean = gn / c;
        i = 0;
        for (; i < u; i += L) {
            FloatVector g = FloatVector.fromArray(F, dy, off + i).mul(FloatVector.fromArray(F, w, i).add(offset));
            FloatVector n = FloatVector.fromArray(F, x, off + i).mul(s);
            g.sub(n.mul(gnMean)).mul(s).add(FloatVector.fromArray(F, dx, off + i)).intoArray(dx, off + i);
        }
        for (; i < c; i++) dx[off + i] += s * (dy[off + i] * (offset + w[i]) - x[off + i] * s * gnMean);
    }
}
