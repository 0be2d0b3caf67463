package dev.jllm.kernels;

/** Softmax and log-softmax over the rows of a [rows, n] matrix, with their backward passes. */
public final class SoftmaxKernel {
    private SoftmaxKernel() {}

    /** log Σ exp(x[off .. off+n)), computed around the row maximum so that it cannot overflow. */
    public static float logSumExp(float[] x, int off, int n) {
        float m = Elementwise.max(x, off, n);
        if (m == Float.NEGATIVE_INFINITY) return m;
        return m + (float) Math.log(Elementwise.expShifted(x, off, m, null, 0, n));
    }

    /** y = softmax(x) row by row; x, y: [rows, n]. */
    public static void softmax(float[] x, float[] y, int rows, int n) {
        Elementwise.forRows(rows, 4L * n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int off = r * n;
                float m = Elementwise.max(x, off, n);
                float s = Elementwise.expShifted(x, off, m, y, off, n);
                Elementwise.scale(1f / s, y, off, y, off, n);
            }
        });
    }

    /** y = x − logΣexp(x) row by row; x, y: [rows, n]. */
    public static void logSoftmax(float[] x, float[] y, int rows, int n) {
        Elementwise.forRows(rows, 4L * n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int off = r * n;
                float lse = logSumExp(x, off, n);
                for (int i = 0; i < n; i++) y[off + i] = x[off + i] - lse;
            }
        });
    }

    /** Given y = softmax(x) and dy: dx += y ⊙ (dy − Σ dy⊙y), row by row. */
    public static void softmaxBackward(float[] y, float[] dy, float[] dx, int rows, int n) {
        Elementwise.forRows(rows, 3L * n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int off = r * n;
                float d = Elementwise.dot(dy, off, y, off, n);
                Elementwise.mulAccumulate(y, off, dy, off, dx, off, n);
                Elementwise.axpy(-d, y, off, dx, off, n);
            }
        });
    }

    /** Given y = logSoftmax(x) and dy: dx += dy − exp(y) · Σ dy, row by row. */
    public static void logSoftmaxBackward(float[] y, float[] dy, float[] dx, int rows, int n) {
        Elementwise.forRows(rows, 3L * n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int off = r * n;
                float s = Elementwise.sum(dy, off, n);
                Elementwise.accumulate(dy, off, dx, off, n);
                Elementwise.axpyExp(-s, y, off, 0f, dx, off, n);
            }
        });
    }
}
