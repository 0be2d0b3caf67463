package dev.jllm.generate;

import dev.jllm.kernels.Bf16;
import dev.jllm.model.GptModel;
import dev.jllm.nn.Linear;
import dev.jllm.nn.TransformerBlock;
import dev.jllm.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * bfloat16 copies of the matrices a decode step streams (each block's qkv, out_proj, fc1, fc2, and the output
 * head), made once per model; the small vectors (biases, norms) and the embeddings stay float32.
 */
public final class Bf16Weights {
    private final Map<Tensor, int[]> copies = new IdentityHashMap<>();

    public Bf16Weights(GptModel model) {
        for (Tensor w : streamedMatrices(model)) add(w);
    }

    /** The matrices one decode step reads whole: each block's qkv, out_proj, fc1, fc2, then the output head. */
    public static List<Tensor> streamedMatrices(GptModel model) {
        List<Tensor> out = new ArrayList<>();
        for (TransformerBlock b : model.blocks) {
            for (Linear l : new Linear[] {b.att.qkv, b.att.outProj, b.ff.fc1, b.ff.fc2}) out.add(l.weight);
        }
        out.add(model.headWeight());
        return out;
    }

    /**
     * Bytes of weights one decode step streams from memory when the matrices are held as {@code type}: the
     * numerator of the memory-bandwidth limit on tokens per second (the float32 vectors add under 0.1 %).
     */
    public static long streamedBytesPerToken(GptModel model, WeightType type) {
        long n = 0;
        for (Tensor w : streamedMatrices(model)) n += w.size();
        return n * type.bytes;
    }

    private void add(Tensor weight) {
        copies.put(weight, Bf16.pack(weight.data(), weight.dim(0), weight.dim(1)));
    }

    /** The bfloat16 copy of {@code weight} [out, in], {@link Bf16#pack packed}. */
    int[] of(Tensor weight) {
        int[] w = copies.get(weight);
        if (w == null) throw new IllegalArgumentException("no bf16 copy of weight " + weight.shapeString());
        return w;
    }
}
