package dev.jllm.nn;

import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Causal multi-head self-attention (the book's {@code MultiHeadAttention}).
 *
 * <p>The query, key and value projections are one fused Linear [3·emb, emb] (rows: q, then k, then v), which is
 * both faster and exactly GPT-2's {@code c_attn}. Each head attends over the earlier positions only, with
 * softmax(q·kᵀ/√headDim) weights (dropped out in training), and the heads' outputs are projected back to emb.
 */
public final class MultiHeadAttention extends Module {
    public final int emb;
    public final int nHeads;
    public final float dropRate;
    /** [3·emb, emb]: W_query, W_key, W_value stacked */
    public final Linear qkv;
    public final Linear outProj;
    private final RandomGenerator rng;

    public MultiHeadAttention(int emb, int nHeads, float dropRate, boolean qkvBias, RandomGenerator rng) {
        if (emb % nHeads != 0) throw new IllegalArgumentException("emb " + emb + " is not divisible by heads " + nHeads);
        this.emb = emb;
        this.nHeads = nHeads;
        this.dropRate = dropRate;
        this.rng = rng;
        this.qkv = child("qkv", new Linear(emb, 3 * emb, qkvBias));
        this.outProj = child("out_proj", new Linear(emb, emb, true));
    }

    /** x [B, T, emb] → [B, T, emb] */
    public Tensor forward(Tensor x) {
        List<Tensor> qkvParts = Ops.split(qkv.forward(x), -1, emb, emb, emb); // each [B, T, emb]
        Tensor context = Ops.causalAttention(qkvParts.get(0), qkvParts.get(1), qkvParts.get(2), nHeads,
                isTraining() ? dropRate : 0f, rng);
        return outProj.forward(context);
    }
}
