package dev.jllm.model;

import dev.jllm.Setting;
import dev.jllm.SettingException;
import dev.jllm.nn.Module;
import dev.jllm.tensor.Ops;
import dev.jllm.tensor.OutputHead;
import dev.jllm.tensor.Profiler;
import dev.jllm.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A causal language model of any architecture: what training, finetuning, generation, evaluation and serving
 * need from a model, and all they may assume. {@link GptModel} (GPT-2, the book's model) implements it.
 *
 * <p>It is a {@link Module}: parameters by name ({@link #namedParameters}, in the architecture's own names such as
 * {@code trf_blocks.3.att.qkv.weight}), training and evaluation mode, freezing. Its {@link #stateDict} is in the
 * layout of its files (Hugging Face names). The forward pass is split where consumers need it: {@link #hidden}
 * (the last hidden states, which a classification head reads), {@link #head} (the logits), {@link #loss}.
 * Decoding goes through a {@link KVCacheDecoder} from {@link #decoder}.
 */
public abstract class CausalLM extends Module {

    /** What a {@link #copy}'s output head is. */
    public enum Head {
        /** As in the source. */
        KEEP,
        /** Tied to the token embedding: a separate head's weights are dropped (for a body whose head is replaced). */
        TIED,
        /** Weights of its own, copied from the token embedding when the source ties them (LoRA can adapt it). */
        UNTIED
    }

    /** The sizes; an architecture returns its own config record. */
    public abstract ModelConfig config();

    /** ids [batch, seqLen] (row-major) → hidden states after the final norm [batch, seqLen, emb]. */
    public abstract Tensor hidden(int[] ids, int batch, int seqLen);

    /** The output head (its weight, bias, LoRA adapter and soft cap), which {@link #head} and {@link #loss} apply. */
    public abstract OutputHead outputHead();

    /** hidden [..., emb] → logits [..., vocab], through the output head (LoRA adapters included). */
    public Tensor head(Tensor hidden) {
        try (Profiler.Scope ignored = Profiler.scope("logits")) {
            return outputHead().logits(hidden);
        }
    }

    /** ids [batch, seqLen] → logits [batch, seqLen, vocab] */
    public Tensor forward(int[] ids, int batch, int seqLen) {
        return head(hidden(ids, batch, seqLen));
    }

    /**
     * Mean next-token cross-entropy of the logits of {@code inputs} [batch, seqLen] against {@code targets}
     * [batch, seqLen], which may hold {@link Ops#IGNORE_INDEX} (those positions are skipped). The head and the
     * cross-entropy run as one op ({@link Ops#linearCrossEntropy}): the logits [batch · seqLen, vocab] are never
     * made whole.
     */
    public Tensor loss(int[] inputs, int[] targets, int batch, int seqLen) {
        if (targets.length != inputs.length) {
            throw new IllegalArgumentException("targets hold " + targets.length + " ids, inputs " + inputs.length);
        }
        Tensor hidden = hidden(inputs, batch, seqLen);
        try (Profiler.Scope ignored = Profiler.scope("logits")) {
            return Ops.linearCrossEntropy(hidden, outputHead(), targets, Ops.IGNORE_INDEX);
        }
    }

    /** The weights in the layout of the architecture's files (fresh copies, under the files' names). */
    public abstract Map<String, Tensor> stateDict();

    /**
     * A copy with weights of its own (LoRA adapters not included), in training mode, with dropout at
     * {@code dropRate} drawn from {@code dropoutRng}, and an output head as {@code head} says.
     */
    public abstract CausalLM copy(float dropRate, Head head, RandomGenerator dropoutRng);

    /**
     * A frozen copy to train LoRA adapters over ({@link #addLoRA}) or to score with (DPO's reference): like
     * {@link #copy(float, Head, RandomGenerator)}, every parameter frozen, except that read-only
     * {@link Tensor#isBf16 bfloat16} weights are not widened but shared (a published bf16 checkpoint stays bf16
     * and mapped: the frozen bf16 base of LoRA).
     */
    public CausalLM frozenCopy(float dropRate, Head head, RandomGenerator dropoutRng) {
        CausalLM c = copy(dropRate, head, dropoutRng);
        c.freeze();
        return c;
    }

    /** The same model with weights of its own and a fresh dropout generator. */
    public CausalLM copy(RandomGenerator dropoutRng) {
        return copy(config().dropRate(), Head.KEEP, dropoutRng);
    }

    /**
     * A rank above the model's width adds nothing (the update of a [emb, n] weight has rank at most emb) but
     * adapters of that rank can exhaust the memory: refused before anything is allocated or trained.
     */
    public static void checkLoRARank(ModelConfig config, int rank) {
        if (rank < 1 || rank > config.embDim()) {
            throw new SettingException(Setting.LORA_RANK, " " + rank + " is outside 1.." + config.embDim()
                    + ": the adapters' update of a weight with " + config.embDim() + " rows has rank at most "
                    + config.embDim() + " (the model's width)");
        }
    }

    /**
     * Adds LoRA adapters of {@code rank} and {@code alpha} (the book's appendix E) to every linear layer of the
     * blocks, then to the model's own output head when {@code toHead} (which must then be untied). Freeze the
     * model first, as the book does.
     */
    public abstract void addLoRA(int rank, float alpha, boolean toHead, RandomGenerator rng);

    /** Whether {@link #addLoRA} added adapters. */
    public abstract boolean hasLoRA();

    /** A copy with any LoRA adapters merged into the weights, in evaluation mode (for export and decoding). */
    public abstract CausalLM merged();

    /**
     * Makes the last {@code blocks} transformer blocks and the final norm trainable (the book's chapter 6 choice of
     * what to finetune); the rest keeps its state.
     */
    public abstract void unfreezeLastBlocks(int blocks);

    /**
     * A decoder with a key/value cache of {@code capacity} positions (1 … the context length) that reads this
     * model's weights in place, or their {@code bf16} copies (null: float32). The weights must not change while
     * it is used.
     */
    public abstract KVCacheDecoder decoder(int capacity, Bf16Weights bf16);

    /**
     * A decoder that advances many sequences per step over the paged {@code cache}, for continuous batching. An
     * architecture with a batched forward pass of its own overrides it (GPT-2: the weights read once per step for
     * all sequences); the default runs each sequence's rows through its own {@link #decoder}: correct for every
     * architecture, at the speed of decoding the sequences one after another.
     */
    public BatchDecoder batchDecoder(PagedKvCache cache) {
        return new SequentialBatchDecoder(this, cache);
    }

    /**
     * A decoder that streams {@code quant}, the model's {@link #streamedMatrices} in ggml blocks (quantized on load,
     * or a GGUF file's own), multiplied by the quantized matrix-vector product. Architectures without one refuse.
     */
    public KVCacheDecoder quantizedDecoder(int capacity, QuantizedWeights quant) {
        throw new UnsupportedOperationException(config().architecture() + " models have no quantized decoder");
    }

    /**
     * This model for inference with its weight matrices held as ggml blocks of {@code type} (quantized on load,
     * {@code --dtype q8_0}) and no float32 copy of them, in evaluation mode; or null where the architecture instead
     * decodes quantized copies beside its float32 weights ({@link #quantizedDecoder}).
     */
    public CausalLM quantized(dev.jllm.kernels.quant.GgmlType type) {
        return null;
    }

    /** A float32 decoder with a cache of the whole context. */
    public KVCacheDecoder decoder() {
        return decoder(config().contextLength(), null);
    }

    /** The matrices one decode step reads whole, in the order it reads them (what bf16 decoding holds as bf16). */
    public abstract List<Tensor> streamedMatrices();

    /** The bfloat16 copies of {@link #streamedMatrices()}, for {@link #decoder}. */
    public Bf16Weights bf16Weights() {
        return new Bf16Weights(streamedMatrices());
    }

    /**
     * Bytes of weights one decode step streams from memory when the matrices are held as {@code type}: the
     * numerator of the memory-bandwidth limit on tokens per second (the float32 vectors add under 0.1 %).
     */
    public long streamedBytesPerToken(WeightType type) {
        long n = 0;
        for (Tensor w : streamedMatrices()) n += type.bytes(w.dim(0), w.dim(1));
        return n;
    }

    /** Throws a clear error for any id outside [0, vocabSize). */
    public static void checkVocabulary(int[] ids, int vocabSize) {
        for (int id : ids) {
            if (id < 0 || id >= vocabSize) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (size " + vocabSize + ")");
            }
        }
    }
}
