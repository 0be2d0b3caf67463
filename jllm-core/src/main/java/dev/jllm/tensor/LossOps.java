package dev.jllm.tensor;

import dev.jllm.kernels.CrossEntropyKernel;

/** Losses. */
final class LossOps {
    private LossOps() {}

    // crossEntropy: logits [..., V], targets [N] with N the product of the leading dims → loss [] =
    // mean over rows with target ≠ ignoreIndex of (logΣexp(logits_r) − logits_r[target_r]);
    // dlogits_r += dloss / count · (softmax(logits_r) − onehot(target_r)) for those rows. Saves lse [N].
    static Tensor crossEntropy(Tensor logits, int[] targets, int ignoreIndex) {
        int v = logits.dim(-1), rows = logits.size() / Math.max(v, 1);
        int count = countTargets("crossEntropy", targets, rows, ignoreIndex, v, "logits " + logits.shapeString());
        float[] loss = Workspace.floats(rows), lse = Workspace.floats(rows);
        CrossEntropyKernel.forward(logits.data(), targets, ignoreIndex, loss, lse, rows, v);
        double total = 0;
        for (float l : loss) total += l;
        // No counted row: PyTorch returns NaN (0/0); so does this.
        float mean = (float) (total / count);
        int[] saved = targets.clone();
        int n = count;
        return Tensor.result(new float[] {mean}, new int[0], g -> CrossEntropyKernel.backward(logits.data(), saved,
                ignoreIndex, lse, g[0] / n, logits.gradOrCreate(), rows, v), logits);
    }

    /**
     * The number of targets that count (not {@code ignoreIndex}), after checking that there is one per row and
     * that each is a class in [0, v); {@code what} names the input in errors.
     */
    static int countTargets(String op, int[] targets, int rows, int ignoreIndex, int v, String what) {
        Shapes.require(targets.length == rows, op + ": " + what + " have " + rows + " rows but " + targets.length
                + " targets were given");
        int count = 0;
        for (int r = 0; r < rows; r++) {
            int t = targets[r];
            if (t == ignoreIndex) continue;
            if (t < 0 || t >= v) {
                throw new IllegalArgumentException(op + ": target " + t + " at row " + r
                        + " is out of range for " + v + " classes (" + what + ")");
            }
            count++;
        }
        return count;
    }

    // meanTokenLogProbs: logits [B, T, V], ids and mask [B, T] → y [B], the book's DPO compute_logprobs:
    // y_b = mean over t in 1..T-1 with mask[b, t] of log softmax(logits[b, t − 1])[ids[b, t]] (token t is predicted
    // from position t − 1). Reuses the cross-entropy kernel: the log-prob is minus the row's cross-entropy, so
    // dlogits[b, t − 1] += −dy_b / count_b · (softmax − onehot). A row without a masked token gives NaN (0/0).
    static Tensor meanTokenLogProbs(Tensor logits, int[] ids, boolean[] mask) {
        Shapes.require(logits.rank() == 3, "meanTokenLogProbs: logits must be [B, T, V], got " + logits.shapeString());
        int b = logits.dim(0), t = logits.dim(1), v = logits.dim(2), rows = b * t;
        Shapes.require(ids.length == rows && mask.length == rows, "meanTokenLogProbs: logits " + logits.shapeString()
                + " need " + rows + " ids and mask values, got " + ids.length + " and " + mask.length);
        int skip = -1;
        int[] targets = new int[rows]; // targets[r]: the id predicted at position r, or skip
        int[] count = new int[b];
        for (int s = 0; s < b; s++) {
            targets[s * t + t - 1] = skip;
            for (int j = 0; j < t - 1; j++) {
                int next = s * t + j + 1;
                if (!mask[next]) {
                    targets[s * t + j] = skip;
                    continue;
                }
                if (ids[next] < 0 || ids[next] >= v) {
                    throw new IllegalArgumentException("meanTokenLogProbs: id " + ids[next] + " at row " + s
                            + ", position " + (j + 1) + " is out of range for " + v + " classes");
                }
                targets[s * t + j] = ids[next];
                count[s]++;
            }
        }
        float[] nll = Workspace.floats(rows), lse = Workspace.floats(rows);
        CrossEntropyKernel.forward(logits.data(), targets, skip, nll, lse, rows, v);
        float[] y = Workspace.floats(b);
        for (int s = 0; s < b; s++) {
            double sum = 0;
            for (int j = 0; j < t; j++) sum += nll[s * t + j];
            y[s] = (float) (-sum / count[s]);
        }
        return Tensor.result(y, new int[] {b}, g -> CrossEntropyKernel.backward(logits.data(), targets, skip, lse,
                r -> -g[r / t] / count[r / t], logits.gradOrCreate(), rows, v), logits);
    }
}
