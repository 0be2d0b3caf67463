package dev.jllm.model;

import dev.jllm.kernels.Elementwise;
import dev.jllm.kernels.GeluKernel;
import dev.jllm.kernels.RmsNormKernel;
import dev.jllm.kernels.SiluKernel;
import dev.jllm.nn.RotaryEmbedding;

/**
 * The forward pass of a {@link DecoderModel} (Llama, Qwen3, Gemma 3) for decoding, on plain float arrays and no
 * autograd, reading its {@link DecoderWeights} in place: everything except where the keys and values are kept,
 * which the caller's {@link Attention} decides. {@link GroupedDecoder} runs one sequence's new tokens through it over
 * its own cache, {@link GroupedBatchDecoder} the rows of many sequences over a {@link PagedKvCache}.
 */
final class DecoderPass {

    /** The attention of one layer over the caller's cache. */
    interface Attention {
        /**
         * Adds the rows' keys and values k, v [n, kvHeads·hd] (rotated, normalised) to the cache and returns the
         * causal attention of the queries q [n, heads·hd] over it: [n, heads·hd].
         */
        float[] attend(int layer, float[] q, float[] k, float[] v);
    }

    private final DecoderConfig c;
    private final DecoderWeights w;
    private final boolean rowWise;
    private final RotaryEmbedding globalRope;
    private final RotaryEmbedding localRope;
    /** Each layer's weight names, made once: a step looks them up as the same Strings, whose hashes are cached. */
    private final LayerNames[] names;

    /** The names of one layer's weights (Hugging Face's), as {@link #layers} reads them. */
    private record LayerNames(String q, String k, String v, String o, String qNorm, String kNorm, String inputNorm,
                              String postAttentionNorm, String preFeedForwardNorm, String postFeedForwardNorm,
                              String gate, String up, String down) {
        static LayerNames of(int l) {
            String p = "model.layers." + l + ".";
            return new LayerNames(p + "self_attn.q_proj", p + "self_attn.k_proj", p + "self_attn.v_proj",
                    p + "self_attn.o_proj", p + "self_attn.q_norm.weight", p + "self_attn.k_norm.weight",
                    p + "input_layernorm.weight", p + "post_attention_layernorm.weight",
                    p + "pre_feedforward_layernorm.weight", p + "post_feedforward_layernorm.weight",
                    p + "mlp.gate_proj", p + "mlp.up_proj", p + "mlp.down_proj");
        }
    }

    /**
     * A pass over {@code weights}. {@code rowWise}: every product streams the weights once for all rows and computes
     * each row as it would be computed alone ({@link DecoderWeights#linearRows}: the rows of a decoding batch);
     * otherwise several rows (a prompt) go through the matrix product.
     */
    DecoderPass(DecoderWeights weights, boolean rowWise) {
        this.c = weights.config();
        this.w = weights;
        this.rowWise = rowWise;
        this.globalRope = new RotaryEmbedding(c.headDim(), c.rope());
        this.localRope = new RotaryEmbedding(c.headDim(), c.localRope());
        this.names = new LayerNames[c.nLayers()];
        for (int l = 0; l < names.length; l++) names[l] = LayerNames.of(l);
    }

    DecoderConfig config() {
        return c;
    }

    /**
     * ids [n], row i at position {@code positions[i]}, through every layer: the residual stream after the last
     * layer [n, hidden].
     */
    float[] layers(int[] ids, int[] positions, int n, Attention attention) {
        CausalLM.checkVocabulary(ids, c.vocabSize());
        int h = c.hiddenSize(), hd = c.headDim();
        float[] x = new float[n * h]; // the residual stream
        for (int i = 0; i < n; i++) w.embeddingRow(ids[i], x, i * h);
        if (c.embedScale() != 1f) Elementwise.scale(c.embedScale(), x, 0, x, 0, x.length);
        for (int l = 0; l < c.nLayers(); l++) {
            LayerNames p = names[l];
            float[] in = norm(x, n, h, p.inputNorm());
            float[][] qkv = w.linears(in, n, rowWise, p.q(), p.k(), p.v());
            float[] q = qkv[0], k = qkv[1], v = qkv[2];
            if (c.qkNorm()) {
                q = norm(q, n * c.nHeads(), hd, p.qNorm());
                k = norm(k, n * c.nKvHeads(), hd, p.kNorm());
            }
            RotaryEmbedding rope = c.sliding(l) ? localRope : globalRope;
            rope.rotate(q, n, c.nHeads(), positions);
            rope.rotate(k, n, c.nKvHeads(), positions);
            float[] o = linear(p.o(), attention.attend(l, q, k, v), n);
            if (c.sandwichNorms()) o = norm(o, n, h, p.postAttentionNorm());
            Elementwise.accumulate(o, 0, x, 0, x.length);
            float[] f = norm(x, n, h, c.sandwichNorms() ? p.preFeedForwardNorm() : p.postAttentionNorm());
            float[][] gateUp = w.linears(f, n, rowWise, p.gate(), p.up());
            float[] gate = gateUp[0], up = gateUp[1];
            if (c.geluGate()) GeluKernel.forward(gate, gate, gate.length);
            else SiluKernel.forward(gate, gate, gate.length);
            Elementwise.mul(gate, 0, up, 0, gate, 0, gate.length);
            float[] d = linear(p.down(), gate, n);
            if (c.sandwichNorms()) d = norm(d, n, h, p.postFeedForwardNorm());
            Elementwise.accumulate(d, 0, x, 0, x.length);
        }
        return x;
    }

    /**
     * The logits that follow rows {@code rows[0 … count)} of the residual stream x [*, hidden]: final norm, output
     * head (soft-capped when the config says), [count, vocab]; the head's weights are streamed once for all.
     */
    float[] logits(float[] x, int[] rows, int count) {
        int h = c.hiddenSize();
        float[] last = new float[count * h];
        for (int i = 0; i < count; i++) System.arraycopy(x, rows[i] * h, last, i * h, h);
        float[] logits = w.head(norm(last, count, h, "model.norm.weight"), count);
        float cap = c.finalLogitSoftcap();
        if (cap > 0) for (int i = 0; i < logits.length; i++) logits[i] = cap * (float) Math.tanh(logits[i] / cap);
        return logits;
    }

    private float[] linear(String prefix, float[] x, int n) {
        return rowWise ? w.linearRows(prefix, x, n) : w.linear(prefix, x, n);
    }

    /** Each of the {@code rowCount} rows of x [rowCount, dim] RMS-normalised with the named weight. */
    private float[] norm(float[] x, int rowCount, int dim, String weight) {
        float[] y = new float[rowCount * dim];
        RmsNormKernel.forward(x, w.vector(weight), c.normOffset(), c.rmsEps(), y, null, rowCount, dim);
        return y;
    }
}
