package dev.jllm.tensor;

import dev.jllm.kernels.Bf16;
import dev.jllm.kernels.Elementwise;
import dev.jllm.kernels.Parallel;
import java.util.Arrays;

/** Embedding lookup: a gather of weight rows, whose backward scatter-adds. */
final class EmbeddingOp {
    private EmbeddingOp() {}

    // embedding: weight [V, C], ids [...] (values in [0, V)) → y [..., C] with y[i] = weight[ids[i]];
    // dweight[ids[i]] += dy[i] (ids that repeat sum their gradients), except for the row paddingIdx (−1: none),
    // which gets no gradient, as in PyTorch's nn.Embedding(padding_idx). A bfloat16 weight (read-only: no
    // gradient) gives its rows widened, a quantized one its rows dequantized.
    static Tensor embedding(Tensor weight, int[] ids, int paddingIdx, int... idShape) {
        Shapes.require(weight.rank() == 2, "embedding: weight must be [V, C], got " + weight.shapeString());
        Shapes.require(Tensor.numel(idShape) == ids.length,
                "embedding: id shape " + Shapes.str(idShape) + " does not hold the " + ids.length + " ids given");
        int v = weight.dim(0), c = weight.dim(1);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= v) {
                throw new IllegalArgumentException("embedding: id " + ids[i] + " at position " + i
                        + " is out of range for a table of " + v + " rows (weight " + weight.shapeString() + ")");
            }
        }
        int[] ys = Arrays.copyOf(idShape, idShape.length + 1);
        ys[idShape.length] = c;
        float[] y = Workspace.floats(ids.length * c);
        if (weight.isBf16()) {
            for (int i = 0; i < ids.length; i++) Bf16.widen(weight.bf16Values(), (long) ids[i] * c, c, y, i * c);
        } else if (weight.isQuantized()) {
            for (int i = 0; i < ids.length; i++) weight.quantizedValues().row(ids[i], y, i * c);
        } else {
            float[] w = weight.data();
            for (int i = 0; i < ids.length; i++) System.arraycopy(w, ids[i] * c, y, i * c, c);
        }
        int[] saved = ids.clone();
        return Tensor.result(y, ys, g -> {
            float[] dw = weight.gradOrCreate();
            // Each task owns a range of vocabulary rows and visits the positions in order: no shared writes,
            // and the same sums for any thread count.
            Runnable serial = () -> scatter(saved, paddingIdx, g, dw, c, 0, v);
            if ((long) ids.length * c < Elementwise.PARALLEL_GRAIN) serial.run();
            else Parallel.forRange(v, (v0, v1) -> scatter(saved, paddingIdx, g, dw, c, v0, v1));
        }, weight);
    }

    private static void scatter(int[] ids, int paddingIdx, float[] g, float[] dw, int c, int v0, int v1) {
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id >= v0 && id < v1 && id != paddingIdx) Elementwise.accumulate(g, i * c, dw, id * c, c);
        }
    }
}
