package dev.jllm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Layer normalisation over the last dimension of a [rows, C] matrix, with the biased variance:
 * y = (x − mean) / √(var + eps) · γ + β. Rows in parallel; within a row, vector loops with scalar tails.
 */
public final class LayerNormKernel {
    private LayerNormKernel() {}

    private static final VectorSpecies<Float> F = Elementwise.F;
    private static final int L = F.length();

    /**
     * x, y: [rows, C]; gamma, beta: [C]; mean, rstd: [rows] (saved for backward; may be null in inference).
     * y may be x.
     */
    public static void forward(float[] x, float[] gamma, float[] beta, float eps, float[] y,
                               float[] mean, float[] rstd, int rows, int c) {
        Elementwise.forRows(rows, 4L * c, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int off = r * c;
                float m = Elementwise.sum(x, off, c) / c;
                float s = (float) (1.0 / Math.sqrt(sumSquaredDeviation(x, off, m, c) / c + eps));
                if (mean != null) mean[r] = m;
                if (rstd != null) rstd[r] = s;
                int i = 0;
                for (int u = Elementwise.vectorEnd(c); i < u; i += L) {
                    FloatVector n = FloatVector.fromArray(F, x, off + i).sub(m).mul(s);
                    n.fma(FloatVector.fromArray(F, gamma, i), FloatVector.fromArray(F, beta, i)).intoArray(y, off + i);
                }
                for (; i < c; i++) y[off + i] = (x[off + i] - m) * s * gamma[i] + beta[i];
            }
        });
    }

    /** Σ (x[i] − m)² over [off, off + n). */
    private static float sumSquaredDeviation(float[] x, int off, float m, int n) {
        int i = 0;
        float s = 0f;
        int u = Elementwise.vectorEnd(n);
        if (u > 0) {
            FloatVector acc = FloatVector.zero(F);
            for (; i < u; i += L) {
                FloatVector d = FloatVector.fromArray(F, x, off + i).sub(m);
                acc = d.fma(d, acc);
            }
            s = LaneSum.sum(acc);
        }
        for (; i < n; i++) {
            float d = x[off + i] - m;
            s += d * d;
        }
        return s;
    }

    /**
     * Given dy [rows, C], adds into dx [rows, C] (if not null), dgamma and dbeta [C] (if not null).
     * With n = (x − mean)·rstd and g = dy·γ: dx = rstd · (g − mean(g) − n · mean(g·n)).
     */
    public static void backward(float[] x, float[] gamma, float[] mean, float[] rstd, float[] dy,
                                float[] dx, float[] dgamma, float[] dbeta, int rows, int c) {
        if (dx != null) {
            Elementwise.forRows(rows, 6L * c, (r0, r1) -> {
                for (int r = r0; r < r1; r++) inputGradientRow(x, gamma, mean[r], rstd[r], dy, dx, r * c, c);
            });
        }
        if (dgamma != null || dbeta != null) {
            // Parallel over column blocks, rows summed in order: no shared writes, same result for any thread count.
            Elementwise.forRows(c, 3L * rows, (c0, c1) -> {
                for (int r = 0; r < rows; r++) {
                    int off = r * c;
                    float m = mean[r], s = rstd[r];
                    for (int i = c0; i < c1; i++) {
                        float g = dy[off + i];
                        if (dgamma != null) dgamma[i] += g * (x[off + i] - m) * s;
                        if (dbeta != null) dbeta[i] += g;
                    }
                }
            });
        }
    }

    private static void inputGradientRow(float[] x, float[] gamma, float m, float s, float[] dy, float[] dx,
                                         int off, int c) {
        // mean(g) and mean(g·n), with g = dy·γ and n = (x − m)·s
        float gSum = 0f, gnSum = 0f;
        int i = 0;
        int u = Elementwise.vectorEnd(c);
        if (u > 0) {
            FloatVector ga = FloatVector.zero(F), gna = ga;
            for (; i < u; i += L) {
                FloatVector g = FloatVector.fromArray(F, dy, off + i).mul(FloatVector.fromArray(F, gamma, i));
                ga = ga.add(g);
                gna = FloatVector.fromArray(F, x, off + i).sub(m).mul(s).fma(g, gna);
            }
            gSum = LaneSum.sum(ga);
            gnSum = LaneSum.sum(gna);
        }
        for (; i < c; i++) {
            float g = dy[off + i] * gamma[i];
            gSum += g;
            gnSum += g * (x[off + i] - m) * s;
        }
        float gMean = gSum / c, gnMean = gnSum / c;
        i = 0;
        for (; i < u; i += L) {
            FloatVector g = FloatVector.fromArray(F, dy, off + i).mul(FloatVector.fromArray(F, gamma, i));
            FloatVector n = FloatVector.fromArray(F, x, off + i).sub(m).mul(s);
            g.sub(gMean).sub(n.mul(gnMean)).mul(s).add(FloatVector.fromArray(F, dx, off + i)).intoArray(dx, off + i);
        }
        for (; i < c; i++) {
            float n = (x[off + i] - m) * s;
            dx[off + i] += s * (dy[off + i] * gamma[i] - gMean - n * gnMean);
        }
    }
}
