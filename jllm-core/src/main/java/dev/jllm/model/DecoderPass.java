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
            String p = "model.layers." + l + ".";
            float[] in = norm(x, n, h, p + "input_layernorm.weight");
            float[][] qkv = w.linears(in, n, rowWise, p + "self_attn.q_proj", p + "self_attn.k_proj", p + "self_attn.v_proj");
            float[] q = qkv[0], k = qkv[1], v = qkv[2];
            if (c.qkNorm()) {
                q = norm(q, n * c.nHeads(), hd, p + "self_attn.q_norm.weight");
                k = norm(k, n * c.nKvHeads(), hd, p + "self_attn.k_norm.weight");
            }
            RotaryEmbedding rope = c.sliding(l) ? localRope : globalRope;
            rope.rotate(q, n, c.nHeads(), positions);
            rope.rotate(k, n, c.nKvHeads(), positions);
            float[] o = linear(p + "self_attn.o_proj", attention.attend(l, q, k, v), n);
            if (c.sandwichNorms()) o = norm(o, n, h, p + "post_attention_layernorm.weight");
            Elementwise.accumulate(o, 0, x, 0, x.length);
            float[] f = norm(x, n, h, p + (c.sandwichNorms() ? "pre_feedforward_layernorm.weight"
                    : "post_attention_layernorm.weight"));
            float[][] gateUp = w.linears(f, n, rowWise, p + "mlp.gate_proj", p + "mlp.up_proj");
            float[] gate = gateUp[0], up = gateUp[1];
            if (c.geluGate()) GeluKernel.forward(gate, gate, gate.length);
            else SiluKernel.forward(gate, gate, gate.length);
            Elementwise.mul(gate, 0, up, 0, gate, 0, gate.length);
            float[] d = linear(p + "mlp.down_proj", gate, n);
            if (c.sandwichNorms()) d = norm(d, n, h, p + "post_feedforward_layernorm.weight");
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
