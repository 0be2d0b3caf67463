package dev.jllm.kernels;

/**
 * Layer normalisation over the last dimension of a [rows, C] matrix, with the biased variance:
 * y = (x − mean) / √(var + eps) · γ + β.
 */
public final class LayerNormKernel {
    private LayerNormKernel() {}

    /**
     * x, y: [rows, C]; gamma, beta: [C]; mean, rstd: [rows] (saved for backward; may be null in inference).
     */
    public static void forward(float[] x, float[] gamma, float[] beta, float eps, float[] y,
                               float[] mean, float[] rstd, int rows, int c) {
        Elementwise.forRows(rows, 4L * c, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int off = r * c;
                float m = Elementwise.sum(x, off, c) / c;
                float v = 0f;
                for (int i = 0; i < c; i++) {
                    float d = x[off + i] - m;
                    v += d * d;
                }
                float s = (float) (1.0 / Math.sqrt(v / c + eps));
                for (int i = 0; i < c; i++) y[off + i] = (x[off + i] - m) * s * gamma[i] + beta[i];
                if (mean != null) mean[r] = m;
                if (rstd != null) rstd[r] = s;
            }
        });
    }

    /**
     * Given dy [rows, C], adds into dx [rows, C] (if not null), dgamma and dbeta [C] (if not null).
     * With n = (x − mean)·rstd and g = dy·γ: dx = rstd · (g − mean(g) − n · mean(g·n)).
     */
    public static void backward(float[] x, float[] gamma, float[] mean, float[] rstd, float[] dy,
                                float[] dx, float[] dgamma, float[] dbeta, int rows, int c) {
        if (dx != null) {
            Elementwise.forRows(rows, 6L * c, (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    int off = r * c;
                    float m = mean[r], s = rstd[r];
                    float gMean = 0f, gnMean = 0f;
                    for (int i = 0; i < c; i++) {
                        float g = dy[off + i] * gamma[i];
                        gMean += g;
                        gnMean += g * (x[off + i] - m) * s;
                    }
                    gMean /= c;
                    gnMean /= c;
                    for (int i = 0; i < c; i++) {
                        float n = (x[off + i] - m) * s;
                        dx[off + i] += s * (dy[off + i] * gamma[i] - gMean - n * gnMean);
                    }
                }
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
}
