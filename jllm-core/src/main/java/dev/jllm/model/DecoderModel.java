package dev.jllm.model;

import dev.jllm.io.Dtype;
import dev.jllm.io.SafetensorsShards;
import dev.jllm.kernels.quant.GgmlType;
import dev.jllm.kernels.quant.Quantize;
import dev.jllm.nn.DecoderBlock;
import dev.jllm.nn.Embedding;
import dev.jllm.nn.Linear;
import dev.jllm.nn.LoRA;
import dev.jllm.nn.ParameterSource;
import dev.jllm.nn.RMSNorm;
import dev.jllm.nn.RotaryEmbedding;
import dev.jllm.tensor.Ops;
import dev.jllm.tensor.OutputHead;
import dev.jllm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A decoder-only transformer of the Llama family, configured per architecture ({@link DecoderConfig.Family}):
 * Llama 3.2, Qwen3 and Gemma 3 (the book's Llama 3.2 and Qwen3 chapters and its Gemma 3 bonus chapter, as one
 * class). Token embedding (×√hidden in Gemma), {@code nLayers} {@link DecoderBlock}s with rotary positions
 * (Gemma's local layers with their own rope base and a sliding window), a final RMSNorm and an output head, tied
 * to the embedding or its own; Gemma may soft-cap the logits.
 *
 * <p>Parameter names are Hugging Face's ({@code model.embed_tokens.weight},
 * {@code model.layers.3.self_attn.q_proj.weight}, {@code model.norm.weight}, {@code lm_head.weight}), so a
 * checkpoint's tensors load by name.
 */
public final class DecoderModel extends CausalLM {

    public final DecoderConfig config;
    public final Embedding embedTokens;
    public final List<DecoderBlock> layers;
    public final RMSNorm norm;
    /** The separate output head [vocab, hidden], or null when tied to {@link #embedTokens}. */
    public final Linear lmHead;
    /** The rotary embeddings of the global and the local (sliding-window) layers; the same object outside Gemma. */
    public final RotaryEmbedding globalRope;
    public final RotaryEmbedding localRope;

    /** A model with all weights zero except the norm weights (use {@link #create} for random weights). */
    public DecoderModel(DecoderConfig config) {
        this(config, ParameterSource.NEW);
    }

    /**
     * A model whose parameters {@code weights} gives under Hugging Face's names (float32 arrays of its own, or
     * read-only bfloat16 tensors in place).
     */
    public DecoderModel(DecoderConfig config, ParameterSource weights) {
        this.config = config;
        this.globalRope = new RotaryEmbedding(config.headDim(), config.rope());
        this.localRope = config.localRope().equals(config.rope()) ? globalRope
                : new RotaryEmbedding(config.headDim(), config.localRope());
        this.embedTokens = child("model.embed_tokens", new Embedding(config.vocabSize(), config.hiddenSize(),
                config.padId(), weights.child("model.embed_tokens")));
        List<DecoderBlock> list = new ArrayList<>();
        for (int i = 0; i < config.nLayers(); i++) {
            String name = "model.layers." + i;
            list.add(child(name, new DecoderBlock(config, i, config.sliding(i) ? localRope : globalRope, weights.child(name))));
        }
        this.layers = Collections.unmodifiableList(list);
        this.norm = child("model.norm", new RMSNorm(config.hiddenSize(), config.rmsEps(), config.normOffset(),
                weights.child("model.norm")));
        this.lmHead = config.tiedHead() ? null
                : child("lm_head", new Linear(config.hiddenSize(), config.vocabSize(), false, weights.child("lm_head")));
    }

    /**
     * A model with random weights drawn from {@code seed} as transformers initialises these families: every
     * matrix (embedding included) N(0, 0.02), norms at their neutral value.
     */
    public static DecoderModel create(DecoderConfig config, long seed) {
        DecoderModel model = new DecoderModel(config);
        SplittableRandom rng = new SplittableRandom(seed);
        for (Tensor p : model.parameters()) {
            if (p.rank() != 2) continue;
            float[] d = p.data();
            for (int i = 0; i < d.length; i++) d[i] = (float) (rng.nextGaussian() * 0.02);
        }
        return model;
    }

    /**
     * A model holding {@code weights} (Hugging Face names, each checked for its shape): the tensors themselves
     * become its parameters, not copies.
     */
    public static DecoderModel fromStateDict(DecoderConfig config, Map<String, Tensor> weights) {
        Map<String, int[]> shapes = new java.util.LinkedHashMap<>();
        weights.forEach((name, t) -> shapes.put(name, t.shape()));
        checkShapes(config, shapes);
        return new DecoderModel(config, (name, initial, shape) -> weights.get(name));
    }

    /**
     * The model in a checkpoint, checked against {@code config}. With {@code keepBf16}, bfloat16 matrices stay
     * where they are in the mapped files (read-only tensors: half the bytes of float32, nothing copied; open
     * {@code shards} with {@link SafetensorsShards#openKept}); everything else is read as float32.
     */
    public static DecoderModel fromCheckpoint(DecoderConfig config, SafetensorsShards shards, boolean keepBf16) {
        Map<String, int[]> shapes = new java.util.LinkedHashMap<>();
        for (String name : shards.names()) shapes.put(name, shards.entry(name).shape());
        checkShapes(config, shapes);
        return new DecoderModel(config, (name, initial, shape) -> {
            boolean inPlace = keepBf16 && shape.length == 2 && shards.entry(name).dtype() == Dtype.BF16;
            return inPlace ? Tensor.bf16(shards.bytes(name), shape) : shards.read(name);
        });
    }

    /** Whether any weight is a read-only bfloat16 tensor (a checkpoint's, in place). */
    public boolean hasBf16Weights() {
        for (Tensor p : parameters()) if (p.isBf16()) return true;
        return false;
    }

    /**
     * The name and shape of every parameter a model of {@code c} has, in the order of
     * {@link #namedParameters()}, without building one (a checkpoint is checked against it before loading).
     */
    public static Map<String, int[]> parameterShapes(DecoderConfig c) {
        Map<String, int[]> out = new java.util.LinkedHashMap<>();
        int h = c.hiddenSize(), hd = c.headDim(), q = c.nHeads() * hd, kv = c.nKvHeads() * hd, f = c.intermediateSize();
        out.put("model.embed_tokens.weight", new int[] {c.vocabSize(), h});
        for (int i = 0; i < c.nLayers(); i++) {
            String p = "model.layers." + i + ".";
            out.put(p + "input_layernorm.weight", new int[] {h});
            String a = p + "self_attn.";
            for (String[] lin : new String[][] {{"q_proj", "" + q, "" + h}, {"k_proj", "" + kv, "" + h},
                    {"v_proj", "" + kv, "" + h}, {"o_proj", "" + h, "" + q}}) {
                int o = Integer.parseInt(lin[1]), in = Integer.parseInt(lin[2]);
                out.put(a + lin[0] + ".weight", new int[] {o, in});
                if (c.attentionBias()) out.put(a + lin[0] + ".bias", new int[] {o});
            }
            if (c.qkNorm()) {
                out.put(a + "q_norm.weight", new int[] {hd});
                out.put(a + "k_norm.weight", new int[] {hd});
            }
            out.put(p + "post_attention_layernorm.weight", new int[] {h});
            if (c.sandwichNorms()) {
                out.put(p + "pre_feedforward_layernorm.weight", new int[] {h});
                out.put(p + "post_feedforward_layernorm.weight", new int[] {h});
            }
            out.put(p + "mlp.gate_proj.weight", new int[] {f, h});
            out.put(p + "mlp.up_proj.weight", new int[] {f, h});
            out.put(p + "mlp.down_proj.weight", new int[] {h, f});
        }
        out.put("model.norm.weight", new int[] {h});
        if (!c.tiedHead()) out.put("lm_head.weight", new int[] {c.vocabSize(), h});
        return out;
    }

    /**
     * Checks tensor names and shapes ({@code shapes}) against what {@code config} needs: a missing, misshapen or
     * unexpected tensor is an error naming it (a tied model's file may carry lm_head.weight).
     */
    public static void checkShapes(DecoderConfig config, Map<String, int[]> shapes) {
        Map<String, int[]> want = parameterShapes(config);
        for (var e : want.entrySet()) {
            int[] got = shapes.get(e.getKey());
            if (got == null) throw new IllegalArgumentException("missing tensor '" + e.getKey() + "'");
            if (!java.util.Arrays.equals(got, e.getValue())) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has shape " + java.util.Arrays.toString(got)
                        + " but the config needs " + java.util.Arrays.toString(e.getValue()));
            }
        }
        for (String name : shapes.keySet()) {
            if (!want.containsKey(name) && !(name.equals("lm_head.weight") && config.tiedHead())) {
                throw new IllegalArgumentException("unexpected tensor '" + name + "' for a " + config.family().modelType
                        + " model of this config");
            }
        }
    }

    @Override
    public DecoderConfig config() {
        return config;
    }

    /** Float32 copies of the weights under transformers' names (LoRA adapters not included). */
    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        namedParameters().forEach((name, p) -> {
            if (!LoRA.isAdapter(name)) out.put(name, floatCopy(p));
        });
        return out;
    }

    private static Tensor floatCopy(Tensor t) {
        return t.isReadOnly() ? t.toFloat32() : Tensor.of(t.data().clone(), t.shape());
    }

    /**
     * A float32 copy, trainable (bfloat16 weights widened, quantized ones dequantized; these families have no
     * dropout, so {@code dropRate} and
     * the generator are not used).
     */
    @Override
    public DecoderModel copy(float dropRate, Head head, RandomGenerator dropoutRng) {
        return copy(head, DecoderModel::floatCopy);
    }

    /** A frozen copy whose bfloat16 or quantized weights are this model's own (read-only, so shared), the rest copied. */
    @Override
    public DecoderModel frozenCopy(float dropRate, Head head, RandomGenerator dropoutRng) {
        DecoderModel m = copy(head, t -> t.isReadOnly() ? t : floatCopy(t));
        m.freeze();
        return m;
    }

    /** A copy with its weights made by {@code copy}, and the output head as {@code head} says. */
    private DecoderModel copy(Head head, java.util.function.UnaryOperator<Tensor> copy) {
        DecoderConfig c = config;
        Map<String, Tensor> weights = new java.util.LinkedHashMap<>();
        namedParameters().forEach((name, p) -> {
            if (!LoRA.isAdapter(name)) weights.put(name, copy.apply(p));
        });
        if (head == Head.TIED && !config.tiedHead()) {
            weights.remove("lm_head.weight");
            c = c.withTiedHead(true);
        } else if (head == Head.UNTIED && config.tiedHead()) {
            weights.put("lm_head.weight", copy.apply(embedTokens.weight));
            c = c.withTiedHead(false);
        }
        return fromStateDict(c, weights);
    }

    /**
     * LoRA adapters on every block's q, k, v, o projections and its gate, up and down projections (the Linears
     * of the book's Llama and Qwen code), and on the untied output head when {@code toHead}.
     */
    @Override
    public void addLoRA(int rank, float alpha, boolean toHead, RandomGenerator rng) {
        if (toHead && lmHead == null) {
            throw new IllegalArgumentException("LoRA on the output head needs an untied head (copy with Head.UNTIED)");
        }
        for (Linear l : linears(false)) l.addLoRA(rank, alpha, rng);
        if (toHead) lmHead.addLoRA(rank, alpha, rng);
    }

    @Override
    public boolean hasLoRA() {
        return !layers.isEmpty() && !layers.getFirst().attention.q.adapters().isEmpty();
    }

    /**
     * A copy with the adapters merged into the weights (float32: W + scale·(A·B)ᵀ), in evaluation mode; a
     * read-only weight without adapters (bfloat16 or ggml blocks: the embedding, a frozen base's unadapted matrices)
     * stays shared as it is.
     */
    @Override
    public DecoderModel merged() {
        Map<String, Tensor> params = namedParameters(), weights = new java.util.LinkedHashMap<>();
        params.forEach((name, p) -> {
            if (LoRA.isAdapter(name)) return;
            String layer = name.substring(0, name.lastIndexOf('.'));
            boolean adapted = params.containsKey(layer + ".lora.A") || params.containsKey(layer + ".lora.0.A");
            weights.put(name, p.isReadOnly() && !adapted ? p : floatCopy(p));
        });
        DecoderModel plain = fromStateDict(config, weights);
        List<Linear> from = linears(true), to = plain.linears(true);
        for (int i = 0; i < from.size(); i++) {
            if (from.get(i).adapters().isEmpty()) continue;
            System.arraycopy(from.get(i).mergedWeight().data(), 0, to.get(i).weight.data(), 0, to.get(i).weight.size());
        }
        plain.eval();
        return plain;
    }

    /** Every block's seven Linears, block by block, then the untied head when {@code withHead}. */
    private List<Linear> linears(boolean withHead) {
        List<Linear> out = new ArrayList<>();
        for (DecoderBlock b : layers) {
            var a = b.attention;
            out.addAll(List.of(a.q, a.k, a.v, a.o, b.mlp.gate, b.mlp.up, b.mlp.down));
        }
        if (withHead && lmHead != null) out.add(lmHead);
        return out;
    }

    @Override
    public void unfreezeLastBlocks(int n) {
        if (n > layers.size()) {
            throw new IllegalArgumentException("cannot train the last " + n + " blocks of a model with " + layers.size());
        }
        for (DecoderBlock b : layers.subList(layers.size() - n, layers.size())) b.unfreeze();
        norm.unfreeze();
    }

    /**
     * A copy whose matrices, the embedding included, are ggml blocks of {@code type} ({@link QuantizedWeights#typeFor}
     * where a row is not whole blocks), quantized one at a time; the vectors are shared. Every path then reads the
     * blocks ({@link Tensor#quantized}).
     */
    @Override
    public DecoderModel quantized(GgmlType type) {
        DecoderModel m = copy(Head.KEEP, t -> t.rank() != 2 ? t : Tensor.quantized(
                Quantize.matrix(t.toFloat32().data(), t.dim(0), t.dim(1), QuantizedWeights.typeFor(type, t.dim(1)))));
        m.eval();
        return m;
    }

    /** A {@link GroupedDecoder} over this model's arrays, or over {@code bf16} copies of its matrices. */
    @Override
    public KVCacheDecoder decoder(int capacity, Bf16Weights bf16) {
        return new GroupedDecoder(DecoderWeights.of(this, bf16), capacity);
    }

    /** A {@link GroupedDecoder} that multiplies with {@code quant}'s blocks (a GGUF file's, or quantized on load). */
    @Override
    public KVCacheDecoder quantizedDecoder(int capacity, QuantizedWeights quant) {
        return new GroupedDecoder(DecoderWeights.quantized(this, quant), capacity);
    }

    /** A {@link GroupedBatchDecoder} over this model's float32 arrays: every sequence's row of a step in one pass. */
    @Override
    public BatchDecoder batchDecoder(PagedKvCache cache) {
        return new GroupedBatchDecoder(DecoderWeights.of(this, null), cache);
    }

    /** Each block's q, k, v, o, gate, up, down, then the output head. */
    @Override
    public List<Tensor> streamedMatrices() {
        List<Tensor> out = new ArrayList<>();
        for (Linear l : linears(false)) out.add(l.weight);
        out.add(headWeight());
        return out;
    }

    /** The output head's weight [vocab, hidden]: the token embedding when tied. */
    public Tensor headWeight() {
        return lmHead == null ? embedTokens.weight : lmHead.weight;
    }

    /** ids [batch, seqLen] (row-major) → hidden states after the final norm [batch, seqLen, hidden]. */
    @Override
    public Tensor hidden(int[] ids, int batch, int seqLen) {
        checkIds(ids, batch, seqLen);
        Tensor x = embedTokens.forward(ids, batch, seqLen);
        if (config.embedScale() != 1f) x = Ops.scale(x, config.embedScale());
        for (DecoderBlock block : layers) x = block.forward(x);
        return norm.forward(x);
    }

    /** The output head (LoRA adapter included), or the token embedding when tied; soft-capped when the config says. */
    @Override
    public OutputHead outputHead() {
        OutputHead h = lmHead != null ? lmHead.asOutputHead() : OutputHead.of(embedTokens.weight);
        return h.withSoftCap(Math.max(0f, config.finalLogitSoftcap()));
    }

    private void checkIds(int[] ids, int batch, int seqLen) {
        if (ids.length != batch * seqLen) {
            throw new IllegalArgumentException(ids.length + " token ids do not fill a batch of " + batch + " x " + seqLen);
        }
        if (seqLen > config.maxPositions()) {
            throw new IllegalArgumentException("sequence of " + seqLen + " tokens is longer than the context length "
                    + config.maxPositions());
        }
        checkVocabulary(ids, config.vocabSize());
    }
}
