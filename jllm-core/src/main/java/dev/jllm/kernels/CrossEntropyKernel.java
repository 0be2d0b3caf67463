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
        forward(logits, targets, 0, ignoreIndex, loss, lse, rows, v);
    }

    /**
     * {@link #forward(float[], int[], int, float[], float[], int, int)} for rows {@code first .. first + rows} of
     * targets, loss and lse, whose logits are a chunk of their own: row {@code first + i} at {@code logits[i·v]}.
     */
    public static void forward(float[] logits, int[] targets, int first, int ignoreIndex, float[] loss, float[] lse,
                               int rows, int v) {
        Elementwise.forRows(rows, 2L * v, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int r = first + i, t = targets[r];
                if (t == ignoreIndex) {
                    loss[r] = 0f;
                    lse[r] = 0f;
                    continue;
                }
                float l = SoftmaxKernel.logSumExp(logits, i * v, v);
                lse[r] = l;
                loss[r] = l - logits[i * v + t];
            }
        });
    }

    /**
     * Turns a chunk of logits into their gradient, in place: row i (target and lse at {@code first + i}) becomes
     * scale · (softmax − onehot(target)), or zeros for an ignored row. With {@code cap} > 0 the logits are
     * soft-capped values z = cap · tanh(l / cap), and the row becomes the gradient with respect to l: that times
     * 1 − (z / cap)².
     */
    public static void gradientInPlace(float[] logits, int[] targets, int first, int ignoreIndex, float[] lse,
                                       float scale, float cap, int rows, int v) {
        Elementwise.forRows(rows, 2L * v, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int r = first + i, t = targets[r], off = i * v;
                if (t == ignoreIndex) {
                    java.util.Arrays.fill(logits, off, off + v, 0f);
                    continue;
                }
                if (cap > 0f) {
                    float l = lse[r];
                    for (int j = 0; j < v; j++) {
                        float z = logits[off + j], q = z / cap;
                        float d = scale * ((float) Math.exp(z - l) - (j == t ? 1f : 0f));
                        logits[off + j] = d * (1f - q * q);
                    }
                } else {
                    Elementwise.expShifted(logits, off, lse[r], logits, off, v);
                    Elementwise.scale(scale, logits, off, logits, off, v);
                    logits[off + t] -= scale;
                }
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
