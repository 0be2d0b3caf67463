package dev.jllm.kernels;

/**
 * Cross-entropy of logits [rows, V] against integer targets, fused with the log-softmax so that the
 * probabilities are never stored: forward keeps one log-sum-exp per row, backward recomputes from it.
 */
public final class CrossEntropyKernel {
    private CrossEntropyKernel() {}

    /**
     * Writes each row's loss −log softmax(logits)[target] into {@code loss[r]} and its log-sum-exp into
     * {@code lse[r]}; rows whose target is {@code ignoreIndex} get loss 0. Targets are checked by the caller.
     */
    public static void forward(float[] logits, int[] targets, int ignoreIndex, float[] loss, float[] lse,
                               int rows, int v) {
        Elementwise.forRows(rows, 2L * v, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int t = targets[r];
                if (t == ignoreIndex) {
                    loss[r] = 0f;
                    lse[r] = 0f;
                    continue;
                }
                float l = SoftmaxKernel.logSumExp(logits, r * v, v);
                lse[r] = l;
                loss[r] = l - logits[r * v + t];
            }
        });
    }

    /**
     * dlogits[r] += scale · (softmax(logits[r]) − onehot(target[r])) for the rows not ignored, where scale is
     * d(loss)/d(row loss) (for a mean: the upstream gradient over the number of counted rows).
     */
    public static void backward(float[] logits, int[] targets, int ignoreIndex, float[] lse, float scale,
                                float[] dlogits, int rows, int v) {
        backward(logits, targets, ignoreIndex, lse, r -> scale, dlogits, rows, v);
    }

    /** d(loss)/d(row loss) for each row. */
    @FunctionalInterface
    public interface RowScale {
        float of(int row);
    }

    /** As {@link #backward(float[], int[], int, float[], float, float[], int, int)}, with a scale per row. */
    public static void backward(float[] logits, int[] targets, int ignoreIndex, float[] lse, RowScale scale,
                                float[] dlogits, int rows, int v) {
        Elementwise.forRows(rows, 2L * v, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int t = targets[r];
                if (t == ignoreIndex) continue;
                int off = r * v;
                float s = scale.of(r);
                Elementwise.axpyExp(s, logits, off, lse[r], dlogits, off, v);
                dlogits[off + t] -= s;
            }
        });
    }
}
