package dev.jllm.model;

import dev.jllm.nn.Dropout;
import dev.jllm.nn.Embedding;
import dev.jllm.nn.LayerNorm;
import dev.jllm.nn.Linear;
import dev.jllm.nn.TransformerBlock;
import dev.jllm.tensor.Ops;
import dev.jllm.tensor.OutputHead;
import dev.jllm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
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
public final class GptModel extends CausalLM {

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

    @Override
    public GptConfig config() {
        return config;
    }

    /** The weights as a canonical Hugging Face GPT-2 state dict (copies, Conv1D weights in [in, out] layout). */
    @Override
    public Map<String, Tensor> stateDict() {
        return GptCheckpointLayout.export(this);
    }

    @Override
    public GptModel copy(float dropRate, Head head, RandomGenerator dropoutRng) {
        GptConfig c = config.withDropRate(dropRate);
        Map<String, Tensor> weights = stateDict();
        if (head == Head.TIED && !config.tiedHead()) {
            weights.remove("lm_head.weight");
            c = c.withTiedHead(true);
        } else if (head == Head.UNTIED && config.tiedHead()) {
            weights = new LinkedHashMap<>(weights);
            weights.put("lm_head.weight", tokEmb.weight.detach());
            c = c.withTiedHead(false);
        }
        return fromStateDict(c, weights, dropoutRng);
    }

    @Override
    public void addLoRA(int rank, float alpha, boolean toHead, RandomGenerator rng) {
        if (toHead && outHead == null) {
            throw new IllegalArgumentException("LoRA on the output head needs an untied head (copy with Head.UNTIED)");
        }
        GptLoRA.attach(this, toHead ? outHead : null, rank, alpha, rng);
    }

    @Override
    public boolean hasLoRA() {
        return GptLoRA.hasLoRA(this);
    }

    @Override
    public GptModel merged() {
        return GptLoRA.merged(this);
    }

    @Override
    public void unfreezeLastBlocks(int n) {
        if (n > blocks.size()) {
            throw new IllegalArgumentException("cannot train the last " + n + " blocks of a model with " + blocks.size());
        }
        for (TransformerBlock b : blocks.subList(blocks.size() - n, blocks.size())) b.unfreeze();
        finalNorm.unfreeze();
    }

    @Override
    public KVCacheDecoder decoder(int capacity, Bf16Weights bf16) {
        return new GptDecoder(this, bf16, null, capacity);
    }

    @Override
    public KVCacheDecoder quantizedDecoder(int capacity, QuantizedWeights quant) {
        return new GptDecoder(this, null, quant, capacity);
    }

    /** Each block's qkv, out_proj, fc1, fc2, then the output head. */
    @Override
    public List<Tensor> streamedMatrices() {
        List<Tensor> out = new ArrayList<>();
        for (TransformerBlock b : blocks) {
            for (Linear l : new Linear[] {b.att.qkv, b.att.outProj, b.ff.fc1, b.ff.fc2}) out.add(l.weight);
        }
        out.add(headWeight());
        return out;
    }

    /** The output head's weight [vocab, emb]: the token embedding when tied. */
    public Tensor headWeight() {
        return outHead == null ? tokEmb.weight : outHead.weight;
    }

    /** ids [batch, seqLen] (row-major) → hidden states after the final norm [batch, seqLen, emb]. */
    @Override
    public Tensor hidden(int[] ids, int batch, int seqLen) {
        checkIds(ids, batch, seqLen);
        int[] positions = new int[batch * seqLen];
        for (int i = 0; i < positions.length; i++) positions[i] = i % seqLen;
        Tensor x = Ops.add(tokEmb.forward(ids, batch, seqLen), posEmb.forward(positions, batch, seqLen));
        x = dropEmb.forward(x);
        for (TransformerBlock block : blocks) x = block.forward(x);
        return finalNorm.forward(x);
    }

    /** The separate output head (LoRA adapter included), or the token embedding when tied. */
    @Override
    public OutputHead outputHead() {
        return outHead != null ? outHead.asOutputHead() : OutputHead.of(tokEmb.weight);
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

    /** A decoder that advances many sequences per step over the paged {@code cache} (see {@link BatchDecoder}). */
    @Override
    public BatchDecoder batchDecoder(PagedKvCache cache) {
        return new GptBatchDecoder(this, cache);
    }
}
