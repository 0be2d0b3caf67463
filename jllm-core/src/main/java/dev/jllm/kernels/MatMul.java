package dev.jllm.kernels;

/**
 * Matrix products in the three layouts training needs, plus matrix-vector for decoding.
 * All matrices are row-major {@code float[]} with an offset; W is stored [out, in] like PyTorch's Linear.
 *
 * <p>Each layout is the one packed, register-tiled product of {@link Gemm} with the operands viewed through
 * strides, split across {@link Parallel}; a few-row X·Wᵀ streams W instead ({@link Gemv}). Where the Vector API
 * is not compiled to SIMD ({@link VectorSupport}) the plain loops of {@link ScalarMatMul} run instead.
 */
public final class MatMul {
    private MatMul() {}

    /** Y[M,N] = X[M,K] · W[N,K]ᵀ (+ bias[N] when not null). Overwrites Y. */
    public static void xwt(float[] x, int xOff, float[] w, int wOff, float[] bias, float[] y, int yOff,
                           int m, int k, int n) {
        if (!VectorSupport.ENABLED) {
            ScalarMatMul.xwt(x, xOff, w, wOff, bias, y, yOff, m, k, n);
        } else if (m <= Gemv.MAX_ROWS) {
            Gemv.multiply(x, xOff, w, wOff, bias, y, yOff, m, k, n);
        } else {
            xwt(GemmPlan.active(), x, xOff, w, wOff, bias, y, yOff, m, k, n);
        }
    }

    /** {@link #xwt} through the packed product with the given plan. */
    static void xwt(GemmPlan plan, float[] x, int xOff, float[] w, int wOff, float[] bias, float[] y, int yOff,
                    int m, int k, int n) {
        // A = X (rows contiguous), B(p, j) = W[j, p] (W viewed transposed)
        Gemm.multiply(plan, x, xOff, k, 1, w, wOff, 1, k, bias, false, y, yOff, n, m, n, k);
    }

    /** DX[M,K] += DY[M,N] · W[N,K]. */
    public static void dyw(float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff, int m, int n, int k) {
        if (!VectorSupport.ENABLED) {
            ScalarMatMul.dyw(dy, dyOff, w, wOff, dx, dxOff, m, n, k);
        } else {
            dyw(GemmPlan.active(), dy, dyOff, w, wOff, dx, dxOff, m, n, k);
        }
    }

    /** {@link #dyw} with the given plan. */
    static void dyw(GemmPlan plan, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff, int m, int n, int k) {
        // C = DX [m, k], A = DY [m, n], B = W [n, k]: both rows contiguous; reduction over n
        Gemm.multiply(plan, dy, dyOff, n, 1, w, wOff, k, 1, null, true, dx, dxOff, k, m, k, n);
    }

    /** DW[N,K] += DY[M,N]ᵀ · X[M,K]. */
    public static void dytx(float[] dy, int dyOff, float[] x, int xOff, float[] dw, int dwOff, int m, int n, int k) {
        if (!VectorSupport.ENABLED) {
            ScalarMatMul.dytx(dy, dyOff, x, xOff, dw, dwOff, m, n, k);
        } else {
            dytx(GemmPlan.active(), dy, dyOff, x, xOff, dw, dwOff, m, n, k);
        }
    }

    /** {@link #dytx} with the given plan. */
    static void dytx(GemmPlan plan, float[] dy, int dyOff, float[] x, int xOff, float[] dw, int dwOff, int m, int n, int k) {
        // C = DW [n, k], A(i, p) = DY[p, i] (DY viewed transposed), B = X [m, k]; reduction over m
        Gemm.multiply(plan, dy, dyOff, 1, n, x, xOff, k, 1, null, true, dw, dwOff, k, n, k, m);
    }

    /**
     * Y[M,N] = X[M,K] · W[N,K]ᵀ (+ bias) for the rows of a decoding batch: W streamed once for all M rows, and each
     * row computed with the arithmetic {@link #gemv} uses alone, whatever the other rows and their number, so a
     * sequence decodes the same tokens alone or in a batch (only the JIT's order of summing a vector's lanes, which
     * may differ between compiled versions of the loop, can move the last bit). Overwrites Y.
     */
    public static void xwtPerRow(float[] x, int xOff, float[] w, int wOff, float[] bias, float[] y, int yOff,
                                 int m, int k, int n) {
        if (!VectorSupport.ENABLED) {
            for (int i = 0; i < m; i++) ScalarMatMul.gemv(w, wOff, x, xOff + i * k, bias, y, yOff + i * n, n, k);
        } else {
            Gemv.multiply(x, xOff, w, wOff, bias, y, yOff, m, k, n);
        }
    }

    /** y[N] = W[N,K] · x[K] (+ bias[N] when not null). Overwrites y. */
    public static void gemv(float[] w, int wOff, float[] x, int xOff, float[] bias, float[] y, int yOff, int n, int k) {
        if (!VectorSupport.ENABLED) ScalarMatMul.gemv(w, wOff, x, xOff, bias, y, yOff, n, k);
        else Gemv.multiply(x, xOff, w, wOff, bias, y, yOff, 1, k, n);
    }
}
