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
        Shapes.require(targets.length == rows, "crossEntropy: logits " + logits.shapeString() + " have " + rows
                + " rows but " + targets.length + " targets were given");
        int count = 0;
        for (int r = 0; r < rows; r++) {
            int t = targets[r];
            if (t == ignoreIndex) continue;
            if (t < 0 || t >= v) {
                throw new IllegalArgumentException("crossEntropy: target " + t + " at row " + r
                        + " is out of range for " + v + " classes (logits " + logits.shapeString() + ")");
            }
            count++;
        }
        float[] loss = new float[rows], lse = new float[rows];
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
}
