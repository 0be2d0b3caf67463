package dev.jllm.model;

import dev.jllm.nn.Dropout;
import dev.jllm.nn.Embedding;
import dev.jllm.nn.LayerNorm;
import dev.jllm.nn.Linear;
import dev.jllm.nn.Module;
import dev.jllm.nn.TransformerBlock;
import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Profiler;
import dev.jllm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The GPT model of the book's chapter 4: token + position embeddings, dropout, {@code nLayers} transformer
 * blocks, a final LayerNorm and an output head, which is either tied to the token embedding (GPT-2) or its own
 * Linear [vocab, emb].
 *
 * <p>Parameter names follow the book ({@code tok_emb.weight}, {@code trf_blocks.3.att.qkv.weight},
 * {@code final_norm.scale}, {@code out_head.weight}); {@link GptCheckpointLayout} maps them to and from the
 * Hugging Face GPT-2 names used in files.
 */
public final class GptModel extends Module {

    /** A target id that {@link #loss} skips, like PyTorch's default {@code ignore_index}. */
    public static final int IGNORE_INDEX = -100;

    public final GptConfig config;
    public final Embedding tokEmb;
    public final Embedding posEmb;
    public final Dropout dropEmb;
    public final List<TransformerBlock> blocks;
    public final LayerNorm finalNorm;
    /** The separate output head [vocab, emb], or null when tied to {@link #tokEmb}. */
    public final Linear outHead;

    /**
     * A model with all weights zero except the LayerNorm scales (use {@link #create} for GPT-2's initialisation).
     * {@code dropoutRng} drives every dropout mask.
     */
    public GptModel(GptConfig config, RandomGenerator dropoutRng) {
        requireMemory(config);
        this.config = config;
        int c = config.embDim();
        this.tokEmb = child("tok_emb", new Embedding(config.vocabSize(), c));
        this.posEmb = child("pos_emb", new Embedding(config.contextLength(), c));
        this.dropEmb = child("drop_emb", new Dropout(config.dropRate(), dropoutRng));
        List<TransformerBlock> list = new ArrayList<>();
        for (int i = 0; i < config.nLayers(); i++) {
            list.add(child("trf_blocks." + i, new TransformerBlock(c, config.nHeads(), config.dropRate(),
                    config.qkvBias(), dropoutRng)));
        }
        this.blocks = Collections.unmodifiableList(list);
        this.finalNorm = child("final_norm", new LayerNorm(c));
        this.outHead = config.tiedHead() ? null : child("out_head", new Linear(c, config.vocabSize(), false));
    }

    /** A model with GPT-2's initialisation drawn from {@code seed}; dropout continues from the same generator. */
    public static GptModel create(GptConfig config, long seed) {
        return create(config, seed, InitScheme.GPT2);
    }

    /** A model with {@code scheme}'s weights drawn from {@code seed}; dropout continues from the same generator. */
    public static GptModel create(GptConfig config, long seed, InitScheme scheme) {
        SplittableRandom rng = new SplittableRandom(seed);
        GptModel model = new GptModel(config, rng);
        GptInit.apply(model, scheme, rng);
        return model;
    }

    /**
     * Refuses sizes whose weights alone exceed the heap this JVM may grow to, before allocating any of them (the
     * alternative is an OutOfMemoryError after minutes of work).
     */
    static void requireMemory(GptConfig config) {
        long bytes = 4 * ModelStats.parameterCount(config);
        long max = Runtime.getRuntime().maxMemory();
        if (bytes > max) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "a model of %,d parameters needs"
                    + " %.1f GB for its weights alone, more than the %.1f GB this JVM may use (raise -Xmx, or choose"
                    + " smaller sizes)", ModelStats.parameterCount(config), bytes / 1e9, max / 1e9));
        }
    }

    /** A model holding the weights of a canonical Hugging Face GPT-2 state dict (see {@link GptCheckpointLayout}). */
    public static GptModel fromStateDict(GptConfig config, Map<String, Tensor> stateDict) {
        return fromStateDict(config, stateDict, new SplittableRandom(0));
    }

    public static GptModel fromStateDict(GptConfig config, Map<String, Tensor> stateDict, RandomGenerator dropoutRng) {
        GptModel model = new GptModel(config, dropoutRng);
        GptCheckpointLayout.load(model, stateDict);
        return model;
    }

    /** The weights as a canonical Hugging Face GPT-2 state dict (copies, Conv1D weights in [in, out] layout). */
    public Map<String, Tensor> stateDict() {
        return GptCheckpointLayout.export(this);
    }

    /** The output head's weight [vocab, emb]: the token embedding when tied. */
    public Tensor headWeight() {
        return outHead == null ? tokEmb.weight : outHead.weight;
    }

    /** ids [batch, seqLen] (row-major) → hidden states after the final norm [batch, seqLen, emb]. */
    public Tensor hidden(int[] ids, int batch, int seqLen) {
        checkIds(ids, batch, seqLen);
        int[] positions = new int[batch * seqLen];
        for (int i = 0; i < positions.length; i++) positions[i] = i % seqLen;
        Tensor x = Ops.add(tokEmb.forward(ids, batch, seqLen), posEmb.forward(positions, batch, seqLen));
        x = dropEmb.forward(x);
        for (TransformerBlock block : blocks) x = block.forward(x);
        return finalNorm.forward(x);
    }

    /** hidden [..., emb] → logits [..., vocab]; a separate head goes through its Linear, LoRA adapters included. */
    public Tensor head(Tensor hidden) {
        try (Profiler.Scope ignored = Profiler.scope("logits")) {
            return outHead != null ? outHead.forward(hidden) : Ops.linear(hidden, tokEmb.weight, null);
        }
    }

    /** ids [batch, seqLen] → logits [batch, seqLen, vocab] */
    public Tensor forward(int[] ids, int batch, int seqLen) {
        return head(hidden(ids, batch, seqLen));
    }

    /** Mean next-token cross-entropy; {@code targets} [batch, seqLen] may hold {@link #IGNORE_INDEX}. */
    public Tensor loss(int[] inputs, int[] targets, int batch, int seqLen) {
        if (targets.length != inputs.length) {
            throw new IllegalArgumentException("targets hold " + targets.length + " ids, inputs " + inputs.length);
        }
        Tensor logits = forward(inputs, batch, seqLen);
        return Ops.crossEntropy(logits.reshape(batch * seqLen, config.vocabSize()), targets, IGNORE_INDEX);
    }

    private void checkIds(int[] ids, int batch, int seqLen) {
        if (ids.length != batch * seqLen) {
            throw new IllegalArgumentException(ids.length + " token ids do not fill a batch of " + batch + " x " + seqLen);
        }
        if (seqLen > config.contextLength()) {
            throw new IllegalArgumentException("sequence of " + seqLen + " tokens is longer than the context length "
                    + config.contextLength());
        }
        checkVocabulary(ids, config.vocabSize());
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
