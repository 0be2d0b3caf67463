package dev.jllm.model;

import dev.jllm.nn.Linear;
import dev.jllm.nn.LoRA;
import dev.jllm.nn.TransformerBlock;
import dev.jllm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * LoRA on a GPT model, as the book's {@code replace_linear_with_lora} (appendix E) places it: adapters on every
 * block's query, key and value (three parts of the fused projection), output projection and two feed-forward
 * layers, and on an output head. Used by classification (its class head) and instruction finetuning (the LM head).
 * The adapters themselves live inside each {@link Linear} ({@link Linear#addLoRA}); their parameters are named
 * {@code ...lora.A}, {@code ...lora.B} or {@code ...lora.0.A}, ..., and are saved apart, as {@value LoRA#FILE}.
 */
final class GptLoRA {
    private GptLoRA() {}

    /** Adds adapters of {@code rank} and {@code alpha} to every Linear of the blocks and to {@code head} (if not null). */
    static void attach(GptModel model, Linear head, int rank, float alpha, RandomGenerator rng) {
        checkRank(model.config, rank);
        int e = model.config.embDim();
        for (TransformerBlock b : model.blocks) {
            b.att.qkv.addLoRA(rank, alpha, rng, e, e, e);
            b.att.outProj.addLoRA(rank, alpha, rng);
            b.ff.fc1.addLoRA(rank, alpha, rng);
            b.ff.fc2.addLoRA(rank, alpha, rng);
        }
        if (head != null) head.addLoRA(rank, alpha, rng);
    }

    /** See {@link CausalLM#checkLoRARank}. */
    public static void checkRank(GptConfig config, int rank) {
        CausalLM.checkLoRARank(config, rank);
    }

    /** Whether {@link #attach} added adapters to the model's blocks. */
    static boolean hasLoRA(GptModel model) {
        return !model.blocks.isEmpty() && !model.blocks.getFirst().att.qkv.adapters().isEmpty();
    }

    /** Every block's Linears, block by block: query/key/value, output projection, feed-forward in and out. */
    private static List<Linear> linears(GptModel model) {
        List<Linear> out = new ArrayList<>();
        for (TransformerBlock b : model.blocks) out.addAll(List.of(b.att.qkv, b.att.outProj, b.ff.fc1, b.ff.fc2));
        if (model.outHead != null) out.add(model.outHead);
        return out;
    }

    /** The model as a plain GPT model with its adapters merged into the weights (a copy, for export and generation). */
    static GptModel merged(GptModel model) {
        GptModel plain = new GptModel(model.config, new SplittableRandom(0));
        Map<String, Tensor> source = model.namedParameters();
        plain.namedParameters().forEach((name, p) -> System.arraycopy(source.get(name).data(), 0, p.data(), 0, p.size()));
        List<Linear> from = linears(model), to = linears(plain);
        for (int i = 0; i < from.size(); i++) {
            System.arraycopy(from.get(i).mergedWeight().data(), 0, to.get(i).weight.data(), 0, to.get(i).weight.size());
        }
        plain.eval();
        return plain;
    }
}
