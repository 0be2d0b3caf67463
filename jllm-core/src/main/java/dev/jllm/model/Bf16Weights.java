package dev.jllm.model;

import dev.jllm.kernels.Bf16;
import dev.jllm.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * bfloat16 copies of the matrices a decode step streams ({@link CausalLM#streamedMatrices}: for GPT-2 each
 * block's qkv, out_proj, fc1, fc2, and the output head), made once per model; the small vectors (biases, norms)
 * and the embeddings stay float32.
 */
public final class Bf16Weights {
    private final Map<Tensor, int[]> copies = new IdentityHashMap<>();

    /** Copies of the float32 (or quantized) ones of {@code matrices}, each [out, in] (a bfloat16 tensor needs none). */
    public Bf16Weights(List<Tensor> matrices) {
        for (Tensor w : matrices) if (!w.isBf16()) copies.put(w, Bf16.pack(w.toFloat32().data(), w.dim(0), w.dim(1)));
    }

    /** The bfloat16 copy of {@code weight} [out, in], {@link Bf16#pack packed}. */
    public int[] of(Tensor weight) {
        int[] w = copies.get(weight);
        if (w == null) throw new IllegalArgumentException("no bf16 copy of weight " + weight.shapeString());
        return w;
    }
}
