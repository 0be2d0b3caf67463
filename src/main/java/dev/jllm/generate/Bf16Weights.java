package dev.jllm.generate;

import dev.jllm.kernels.Bf16;
import dev.jllm.model.GptModel;
import dev.jllm.nn.Linear;
import dev.jllm.nn.TransformerBlock;
import dev.jllm.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * bfloat16 copies of the matrices a decode step streams (each block's qkv, out_proj, fc1, fc2, and the output
 * head), made once per model; the small vectors (biases, norms) and the embeddings stay float32.
 */
public final class Bf16Weights {
    private final Map<Tensor, short[]> copies = new IdentityHashMap<>();

    public Bf16Weights(GptModel model) {
        for (TransformerBlock b : model.blocks) {
            for (Linear l : new Linear[] {b.att.qkv, b.att.outProj, b.ff.fc1, b.ff.fc2}) add(l.weight);
        }
        add(model.headWeight());
    }

    private void add(Tensor weight) {
        copies.put(weight, Bf16.fromFloats(weight.data()));
    }

    /** The bfloat16 copy of {@code weight} [out, in]. */
    short[] of(Tensor weight) {
        short[] w = copies.get(weight);
        if (w == null) throw new IllegalArgumentException("no bf16 copy of weight " + weight.shapeString());
        return w;
    }
}
