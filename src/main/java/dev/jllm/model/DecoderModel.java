package dev.jllm.model;

import dev.jllm.nn.DecoderBlock;
import dev.jllm.nn.Embedding;
import dev.jllm.nn.Linear;
import dev.jllm.nn.Module;
import dev.jllm.nn.RMSNorm;
import dev.jllm.nn.RotaryEmbedding;
import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Profiler;
import dev.jllm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

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
public final class DecoderModel extends Module {

    /** A target id that {@link #loss} skips, like PyTorch's default {@code ignore_index}. */
    public static final int IGNORE_INDEX = -100;

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
        this.config = config;
        this.globalRope = new RotaryEmbedding(config.headDim(), config.rope());
        this.localRope = config.localRope().equals(config.rope()) ? globalRope
                : new RotaryEmbedding(config.headDim(), config.localRope());
        this.embedTokens = child("model.embed_tokens", new Embedding(config.vocabSize(), config.hiddenSize(), config.padId()));
        List<DecoderBlock> list = new ArrayList<>();
        for (int i = 0; i < config.nLayers(); i++) {
            list.add(child("model.layers." + i, new DecoderBlock(config, i, config.sliding(i) ? localRope : globalRope)));
        }
        this.layers = Collections.unmodifiableList(list);
        this.norm = child("model.norm", new RMSNorm(config.hiddenSize(), config.rmsEps(), config.normOffset()));
        this.lmHead = config.tiedHead() ? null : child("lm_head", new Linear(config.hiddenSize(), config.vocabSize(), false));
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

    /** A model holding {@code weights} (Hugging Face names, each checked for its shape). */
    public static DecoderModel fromStateDict(DecoderConfig config, Map<String, Tensor> weights) {
        Map<String, int[]> shapes = new java.util.LinkedHashMap<>();
        weights.forEach((name, t) -> shapes.put(name, t.shape()));
        checkShapes(config, shapes);
        DecoderModel model = new DecoderModel(config);
        model.namedParameters().forEach((name, p) -> System.arraycopy(weights.get(name).data(), 0, p.data(), 0, p.size()));
        return model;
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

    /** The output head's weight [vocab, hidden]: the token embedding when tied. */
    public Tensor headWeight() {
        return lmHead == null ? embedTokens.weight : lmHead.weight;
    }

    /** ids [batch, seqLen] (row-major) → hidden states after the final norm [batch, seqLen, hidden]. */
    public Tensor hidden(int[] ids, int batch, int seqLen) {
        checkIds(ids, batch, seqLen);
        Tensor x = embedTokens.forward(ids, batch, seqLen);
        if (config.embedScale() != 1f) x = Ops.scale(x, config.embedScale());
        for (DecoderBlock block : layers) x = block.forward(x);
        return norm.forward(x);
    }

    /** hidden [..., hidden] → logits [..., vocab], soft-capped when the config says. */
    public Tensor head(Tensor hidden) {
        try (Profiler.Scope ignored = Profiler.scope("logits")) {
            Tensor logits = lmHead != null ? lmHead.forward(hidden) : Ops.linear(hidden, embedTokens.weight, null);
            return config.finalLogitSoftcap() > 0 ? Ops.softCap(logits, config.finalLogitSoftcap()) : logits;
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
        if (seqLen > config.maxPositions()) {
            throw new IllegalArgumentException("sequence of " + seqLen + " tokens is longer than the context length "
                    + config.maxPositions());
        }
        GptModel.checkVocabulary(ids, config.vocabSize());
    }
}
