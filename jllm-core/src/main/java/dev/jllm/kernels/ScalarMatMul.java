package dev.jllm.kernels;

/**
 * Plain-loop matrix products with the same contracts as {@link MatMul}: the reference the fast kernels are tested
 * against, and the fallback on a JVM whose Vector API is not compiled to SIMD. Single-threaded on purpose, so that
 * it stays a reference that cannot share a bug with {@link Parallel}.
 */
public final class ScalarMatMul {
    private ScalarMatMul() {}

    /** Y[M,N] = X[M,K] · W[N,K]ᵀ (+ bias[N] when not null). Overwrites Y. */
    public static void xwt(float[] x, int xOff, float[] w, int wOff, float[] bias, float[] y, int yOff,
                           int m, int k, int n) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = bias == null ? 0f : bias[j];
                for (int p = 0; p < k; p++) s += x[xOff + i * k + p] * w[wOff + j * k + p];
                y[yOff + i * n + j] = s;
            }
        }
    }

    /** DX[M,K] += DY[M,N] · W[N,K]. */
    public static void dyw(float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff, int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float g = dy[dyOff + i * n + j];
                for (int p = 0; p < k; p++) dx[dxOff + i * k + p] += g * w[wOff + j * k + p];
            }
        }
    }

    /** DW[N,K] += DY[M,N]ᵀ · X[M,K]. */
    public static void dytx(float[] dy, int dyOff, float[] x, int xOff, float[] dw, int dwOff, int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float g = dy[dyOff + i * n + j];
                for (int p = 0; p < k; p++) dw[dwOff + j * k + p] += g * x[xOff + i * k + p];
            }
        }
    }

    /** y[N] = W[N,K] · x[K] (+ bias[N] when not null). Overwrites y. */
    public static void gemv(float[] w, int wOff, float[] x, int xOff, float[] bias, float[] y, int yOff, int n, int k) {
        xwt(x, xOff, w, wOff, bias, y, yOff, 1, k, n);
    }
}
