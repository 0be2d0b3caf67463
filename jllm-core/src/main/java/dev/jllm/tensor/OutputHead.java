package dev.jllm.tensor;

/**
 * A model's output head as {@link Ops#linearCrossEntropy} reads it: logits = x · weightᵀ (+ bias) (+ LoRA
 * loraScale · (x · loraA) · loraB), then cap · tanh(logits / cap) when {@code softCap} > 0 (Gemma's final logit
 * soft-capping). The same function as the model's {@code head}, described instead of computed, so that the loss
 * can make the logits a few rows at a time.
 *
 * @param weight    [vocab, emb], float32 or a read-only bfloat16 matrix
 * @param bias      [vocab], or null
 * @param loraA     [emb, rank], or null without a LoRA adapter
 * @param loraB     [rank, vocab], or null without a LoRA adapter
 * @param loraScale alpha / rank of the adapter (unused without one)
 * @param softCap   the cap, or 0 for none
 */
public record OutputHead(Tensor weight, Tensor bias, Tensor loraA, Tensor loraB, float loraScale, float softCap) {

    public OutputHead {
        Shapes.require(weight.rank() == 2, "output head: weight must be [vocab, emb], got " + weight.shapeString());
        Shapes.require(bias == null || (bias.rank() == 1 && bias.dim(0) == weight.dim(0)),
                "output head: bias " + (bias == null ? "" : bias.shapeString()) + " does not match weight " + weight.shapeString());
        Shapes.require((loraA == null) == (loraB == null), "output head: a LoRA adapter needs both A and B");
        Shapes.require(loraA == null || (loraA.rank() == 2 && loraA.dim(0) == weight.dim(1) && loraB.rank() == 2
                        && loraB.dim(0) == loraA.dim(1) && loraB.dim(1) == weight.dim(0)),
                "output head: adapters " + (loraA == null ? "" : loraA.shapeString() + " and " + loraB.shapeString())
                        + " do not fit weight " + weight.shapeString());
        Shapes.require(softCap >= 0f, "output head: soft cap must be 0 (none) or positive, got " + softCap);
    }

    /** A plain head x · weightᵀ (a tied head: the token embedding). */
    public static OutputHead of(Tensor weight) {
        return new OutputHead(weight, null, null, null, 0f, 0f);
    }

    /** This head with a LoRA adapter {@code a} [emb, rank], {@code b} [rank, vocab] scaled by {@code scale}. */
    public OutputHead withLoRA(Tensor a, Tensor b, float scale) {
        return new OutputHead(weight, bias, a, b, scale, softCap);
    }

    /** This head with bias [vocab]. */
    public OutputHead withBias(Tensor b) {
        return new OutputHead(weight, b, loraA, loraB, loraScale, softCap);
    }

    /** This head soft-capped at {@code cap} (0: not). */
    public OutputHead withSoftCap(float cap) {
        return new OutputHead(weight, bias, loraA, loraB, loraScale, cap);
    }

    /** The vocabulary size (logits per row). */
    public int vocab() {
        return weight.dim(0);
    }

    /** The input width. */
    public int emb() {
        return weight.dim(1);
    }

    /** Whether the adapter is there. */
    public boolean hasLoRA() {
        return loraA != null;
    }

    /** The logits [..., vocab] of x [..., emb], whole: what generation and evaluation read. */
    public Tensor logits(Tensor x) {
        Tensor y = hasLoRA() ? Ops.linearLoRA(x, weight, bias, loraA, loraB, loraScale) : Ops.linear(x, weight, bias);
        return softCap > 0f ? Ops.softCap(y, softCap) : y;
    }
}
