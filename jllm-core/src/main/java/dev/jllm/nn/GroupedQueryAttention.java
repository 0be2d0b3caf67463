package dev.jllm.nn;

import dev.jllm.tensor.AttentionSpec;
import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;

/**
 * Causal grouped-query self-attention with rotary positions (Llama, Qwen, Gemma): {@code heads} query heads share
 * {@code kvHeads} key/value heads; Qwen3 and Gemma 3 RMS-normalise each head's query and key before the rotation.
 * The scale and the sliding window (Gemma's local layers) are in the {@link AttentionSpec}. Named as Hugging Face
 * names it: q_proj, k_proj, v_proj, o_proj, q_norm, k_norm.
 */
public final class GroupedQueryAttention extends Module {
    public final AttentionSpec spec;
    public final RotaryEmbedding rope;
    public final Linear q;
    public final Linear k;
    public final Linear v;
    public final Linear o;
    /** Per-head norms [headDim], or null (Llama). */
    public final RMSNorm qNorm;
    public final RMSNorm kNorm;

    public GroupedQueryAttention(int emb, AttentionSpec spec, RotaryEmbedding rope, boolean bias, RMSNorm qNorm,
                                 RMSNorm kNorm) {
        this(emb, spec, rope, bias, qNorm, kNorm, ParameterSource.NEW);
    }

    /** The layer with the projections {@code source} gives (the norms come built). */
    public GroupedQueryAttention(int emb, AttentionSpec spec, RotaryEmbedding rope, boolean bias, RMSNorm qNorm,
                                 RMSNorm kNorm, ParameterSource source) {
        this.spec = spec;
        this.rope = rope;
        int hd = spec.headDim();
        this.q = child("q_proj", new Linear(emb, spec.heads() * hd, bias, source.child("q_proj")));
        this.k = child("k_proj", new Linear(emb, spec.kvHeads() * hd, bias, source.child("k_proj")));
        this.v = child("v_proj", new Linear(emb, spec.kvHeads() * hd, bias, source.child("v_proj")));
        this.o = child("o_proj", new Linear(spec.heads() * hd, emb, bias, source.child("o_proj")));
        this.qNorm = qNorm == null ? null : child("q_norm", qNorm);
        this.kNorm = kNorm == null ? null : child("k_norm", kNorm);
    }

    /** x [B, T, emb] → [B, T, emb] */
    public Tensor forward(Tensor x) {
        int b = x.dim(0), t = x.dim(1), hd = spec.headDim();
        Tensor queries = q.forward(x), keys = k.forward(x); // [B, T, H·hd], [B, T, Hkv·hd]
        if (qNorm != null) {
            queries = qNorm.forward(queries.reshape(b, t, spec.heads(), hd)).reshape(b, t, spec.heads() * hd);
            keys = kNorm.forward(keys.reshape(b, t, spec.kvHeads(), hd)).reshape(b, t, spec.kvHeads() * hd);
        }
        queries = rope.forward(queries, spec.heads(), 0);
        keys = rope.forward(keys, spec.kvHeads(), 0);
        return o.forward(Ops.attention(queries, keys, v.forward(x), spec, 0f, null));
    }
}
