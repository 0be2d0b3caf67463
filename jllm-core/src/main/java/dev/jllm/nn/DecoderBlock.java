package dev.jllm.nn;

import dev.jllm.model.DecoderConfig;
import dev.jllm.tensor.AttentionSpec;
import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;

/**
 * One pre-norm block of Llama, Qwen and Gemma: x + attention(norm(x)), then x + mlp(norm(x)). Gemma 3 also
 * normalises each sub-layer's output before the residual add (four norms per block). Named as Hugging Face names
 * it: input_layernorm, self_attn, post_attention_layernorm, (pre_feedforward_layernorm,
 * post_feedforward_layernorm,) mlp.
 */
public final class DecoderBlock extends Module {
    public final RMSNorm inputNorm;
    public final GroupedQueryAttention attention;
    public final RMSNorm postAttentionNorm;
    /** Gemma's norms around the feed-forward layer, or null (then postAttentionNorm comes before the mlp). */
    public final RMSNorm preFeedForwardNorm;
    public final RMSNorm postFeedForwardNorm;
    public final GatedFeedForward mlp;

    public DecoderBlock(DecoderConfig c, int layer, RotaryEmbedding rope) {
        this(c, layer, rope, ParameterSource.NEW);
    }

    /** Block {@code layer} with the weights {@code source} gives. */
    public DecoderBlock(DecoderConfig c, int layer, RotaryEmbedding rope, ParameterSource source) {
        int emb = c.hiddenSize();
        float eps = c.rmsEps(), off = c.normOffset();
        this.inputNorm = child("input_layernorm", new RMSNorm(emb, eps, off, source.child("input_layernorm")));
        var spec = new AttentionSpec(c.nHeads(), c.nKvHeads(), c.headDim(), c.attentionScale(),
                c.sliding(layer) ? c.slidingWindow() : 0);
        ParameterSource attn = source.child("self_attn");
        this.attention = child("self_attn", new GroupedQueryAttention(emb, spec, rope, c.attentionBias(),
                c.qkNorm() ? new RMSNorm(c.headDim(), eps, off, attn.child("q_norm")) : null,
                c.qkNorm() ? new RMSNorm(c.headDim(), eps, off, attn.child("k_norm")) : null, attn));
        this.postAttentionNorm = child("post_attention_layernorm",
                new RMSNorm(emb, eps, off, source.child("post_attention_layernorm")));
        this.preFeedForwardNorm = c.sandwichNorms() ? child("pre_feedforward_layernorm",
                new RMSNorm(emb, eps, off, source.child("pre_feedforward_layernorm"))) : null;
        this.postFeedForwardNorm = c.sandwichNorms() ? child("post_feedforward_layernorm",
                new RMSNorm(emb, eps, off, source.child("post_feedforward_layernorm"))) : null;
        this.mlp = child("mlp", new GatedFeedForward(emb, c.intermediateSize(), c.geluGate(), source.child("mlp")));
    }

    /** x [B, T, emb] → [B, T, emb] */
    public Tensor forward(Tensor x) {
        if (preFeedForwardNorm == null) {
            x = Ops.add(x, attention.forward(inputNorm.forward(x)));
            return Ops.add(x, mlp.forward(postAttentionNorm.forward(x)));
        }
        x = Ops.add(x, postAttentionNorm.forward(attention.forward(inputNorm.forward(x))));
        return Ops.add(x, postFeedForwardNorm.forward(mlp.forward(preFeedForwardNorm.forward(x))));
    }
}
