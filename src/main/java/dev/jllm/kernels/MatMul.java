package dev.jllm.kernels;

/**
 * Matrix products in the three layouts training needs, plus matrix-vector for decoding.
 * All matrices are row-major {@code float[]} with an offset; W is stored [out, in] like PyTorch's Linear.
 *
 * <p>This first version is a plain, correct reference; the fast Vector API kernels replace its bodies.
 */
public final class MatMul {
    private MatMul() {}

    /** Y[M,N] = X[M,K] · W[N,K]ᵀ (+ bias[N] when not null). Overwrites Y. */
    public static void xwt(float[] x, int xOff, float[] w, int wOff, float[] bias, float[] y, int yOff,
                           int m, int k, int n) {
        Parallel.forRange(m, (r0, r1) -> {
            for (int i = r0; i < r1; i++) {
                for (int j = 0; j < n; j++) {
                    float s = bias == null ? 0f : bias[j];
                    for (int p = 0; p < k; p++) s += x[xOff + i * k + p] * w[wOff + j * k + p];
                    y[yOff + i * n + j] = s;
                }
            }
        });
    }

    /** DX[M,K] += DY[M,N] · W[N,K]. */
    public static void dyw(float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff, int m, int n, int k) {
        Parallel.forRange(m, (r0, r1) -> {
            for (int i = r0; i < r1; i++) {
                for (int j = 0; j < n; j++) {
                    float g = dy[dyOff + i * n + j];
                    for (int p = 0; p < k; p++) dx[dxOff + i * k + p] += g * w[wOff + j * k + p];
                }
            }
        });
    }

    /** DW[N,K] += DY[M,N]ᵀ · X[M,K]. */
    public static void dytx(float[] dy, int dyOff, float[] x, int xOff, float[] dw, int dwOff, int m, int n, int k) {
        Parallel.forRange(n, (c0, c1) -> {
            for (int i = 0; i < m; i++) {
                for (int j = c0; j < c1; j++) {
                    float g = dy[dyOff + i * n + j];
                    for (int p = 0; p < k; p++) dw[dwOff + j * k + p] += g * x[xOff + i * k + p];
                }
            }
        });
    }

    /** y[N] = W[N,K] · x[K] (+ bias[N] when not null). Overwrites y. */
    public static void gemv(float[] w, int wOff, float[] x, int xOff, float[] bias, float[] y, int yOff, int n, int k) {
        xwt(x, xOff, w, wOff, bias, y, yOff, 1, k, n);
    }
}
