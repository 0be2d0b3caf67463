package dev.jllm.finetune.classify;

import dev.jllm.model.GptConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * How many parameters LoRA adds to a model (the book's appendix E); the layers themselves are
 * {@link dev.jllm.nn.LoRALayer}, added to a layer by {@link dev.jllm.nn.Linear#addLoRA}.
 */
public final class LoRASizes {
    private LoRASizes() {}

    /** A {@code Linear}'s weight shape: {@code in} features to {@code out} features. */
    public record LinearShape(int in, int out) {
        public LinearShape {
            if (in < 1 || out < 1) throw new IllegalArgumentException("Linear sizes must be positive: " + in + " -> " + out);
        }
    }

    /** Trainable parameters added by LoRA of {@code rank} on each of these layers: {@code rank · (in + out)} each. */
    public static long trainableParameters(List<LinearShape> layers, int rank) {
        if (rank < 1) throw new IllegalArgumentException("LoRA rank must be positive, got " + rank);
        long n = 0;
        for (LinearShape s : layers) n += (long) rank * (s.in() + s.out());
        return n;
    }

    /**
     * The {@code Linear} layers of the book's GPT model that appendix E replaces, with an output head of
     * {@code headOut} classes: per block the query, key, value and output projections [emb, emb] and the two
     * feed-forward layers [emb, 4·emb] and [4·emb, emb], then the head [emb, headOut]. Query, key and value count
     * as three layers, as in the book (jllm's fused qkv Linear gets three adapters for this reason, see
     * {@link dev.jllm.nn.Linear#addLoRA}).
     */
    public static List<LinearShape> bookGptLinears(GptConfig config, int headOut) {
        int e = config.embDim();
        List<LinearShape> out = new ArrayList<>();
        for (int layer = 0; layer < config.nLayers(); layer++) {
            for (int i = 0; i < 4; i++) out.add(new LinearShape(e, e));
            out.add(new LinearShape(e, 4 * e));
            out.add(new LinearShape(4 * e, e));
        }
        out.add(new LinearShape(e, headOut));
        return out;
    }
}
