package dev.jllm.nn;

import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * One GPT block, pre-norm: x + drop(attention(norm1(x))), then x + drop(feedForward(norm2(x))).
 */
public final class TransformerBlock extends Module {
    public final LayerNorm norm1;
    public final MultiHeadAttention att;
    public final LayerNorm norm2;
    public final FeedForward ff;
    public final Dropout dropShortcut;

    public TransformerBlock(int emb, int nHeads, float dropRate, boolean qkvBias, RandomGenerator rng) {
        this.norm1 = child("norm1", new LayerNorm(emb));
        this.att = child("att", new MultiHeadAttention(emb, nHeads, dropRate, qkvBias, rng));
        this.norm2 = child("norm2", new LayerNorm(emb));
        this.ff = child("ff", new FeedForward(emb));
        this.dropShortcut = child("drop_shortcut", new Dropout(dropRate, rng));
    }

    /** x [B, T, emb] → [B, T, emb] */
    public Tensor forward(Tensor x) {
        x = Ops.add(x, dropShortcut.forward(att.forward(norm1.forward(x))));
        return Ops.add(x, dropShortcut.forward(ff.forward(norm2.forward(x))));
    }
}
