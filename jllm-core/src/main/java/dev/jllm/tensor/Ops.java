package dev.jllm.tensor;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The differentiable ops, in one place. Each is implemented, forward and backward side by side, in the file of
 * its family ({@code LinearOps}, {@code AttentionOp}, ...); the loops themselves live in {@code dev.jllm.kernels}.
 * Every op returns a new tensor, records its backward when an input requires a gradient (outside
 * {@link NoGrad}), and rejects mismatched shapes with a message that names them. Each op is timed here when the
 * {@link Profiler} is on.
 */
public final class Ops {
    private Ops() {}

    /** Default {@code ignoreIndex} of {@link #crossEntropy}, as in PyTorch. */
    public static final int IGNORE_INDEX = -100;

    /** x [..., in] · w[out, in]ᵀ + b[out] → [..., out]; {@code b} may be null. */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) {
        long t0 = Profiler.start();
        return Profiler.forward("linear", t0, LinearOps.linear(x, w, b));
    }

    /**
     * x [..., in] · w[out, in]ᵀ + bias[out] + scale · (x · a[in, r]) · b[r, out] → [..., out]: a Linear with a LoRA
     * adapter (the book's {@code LinearWithLoRA}) as one op, whose result is the only [..., out] tensor it keeps.
     */
    public static Tensor linearLoRA(Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, float scale) {
        long t0 = Profiler.start();
        return Profiler.forward("linear", t0, LinearOps.linearLoRA(x, w, bias, a, b, scale));
    }

    /** a [..., M, K] · b [..., K, N] → [..., M, N]; b's leading dims equal a's, or b is [K, N]. */
    public static Tensor matmul(Tensor a, Tensor b) {
        long t0 = Profiler.start();
        return Profiler.forward("matmul", t0, LinearOps.matmul(a, b));
    }

    /** Rows of weight [V, C] picked by {@code ids} (laid out as {@code idShape}) → [...idShape, C]. */
    public static Tensor embedding(Tensor weight, int[] ids, int... idShape) {
        long t0 = Profiler.start();
        return Profiler.forward("embedding", t0, EmbeddingOp.embedding(weight, ids, -1, idShape));
    }

    /** {@link #embedding} whose row {@code paddingIdx} receives no gradient (PyTorch's {@code padding_idx}). */
    public static Tensor embeddingPadded(Tensor weight, int[] ids, int paddingIdx, int... idShape) {
        long t0 = Profiler.start();
        return Profiler.forward("embedding", t0, EmbeddingOp.embedding(weight, ids, paddingIdx, idShape));
    }

    /** Layer norm over the last dimension (biased variance): x [..., C], gamma and beta [C]. */
    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        long t0 = Profiler.start();
        return Profiler.forward("layer_norm", t0, NormOps.layerNorm(x, gamma, beta, eps));
    }

    /**
     * RMS normalisation over the last dimension: x [..., C], w [C] → x / √(mean(x²) + eps) · (offset + w);
     * offset 0 for Llama and Qwen, 1 for Gemma (whose weights start at 0).
     */
    public static Tensor rmsNorm(Tensor x, Tensor w, float offset, float eps) {
        long t0 = Profiler.start();
        return Profiler.forward("rms_norm", t0, NormOps.rmsNorm(x, w, offset, eps));
    }

    /**
     * Rotary position embedding of x [B, T, heads·hd]: in each head, dimension i and i + hd/2 are rotated by the
     * angle of position start + t, read from the tables cos and sin [positions, hd/2].
     */
    public static Tensor rope(Tensor x, int heads, float[] cos, float[] sin, int start) {
        long t0 = Profiler.start();
        return Profiler.forward("rope", t0, RopeOp.rope(x, heads, cos, sin, start));
    }

    /** SiLU (swish): x·σ(x), the gate activation of SwiGLU. */
    public static Tensor silu(Tensor x) {
        long t0 = Profiler.start();
        return Profiler.forward("silu", t0, ActivationOps.silu(x));
    }

    /** Soft-capping: cap·tanh(x / cap) (Gemma's logit soft-capping). */
    public static Tensor softCap(Tensor x, float cap) {
        long t0 = Profiler.start();
        return Profiler.forward("soft_cap", t0, ActivationOps.softCap(x, cap));
    }

    /** GELU, tanh approximation (GPT-2's). */
    public static Tensor gelu(Tensor x) {
        long t0 = Profiler.start();
        return Profiler.forward("gelu", t0, ActivationOps.gelu(x));
    }

    /** Softmax over the last dimension. */
    public static Tensor softmax(Tensor x) {
        long t0 = Profiler.start();
        return Profiler.forward("softmax", t0, ActivationOps.softmax(x));
    }

    /** Log-softmax over the last dimension. */
    public static Tensor logSoftmax(Tensor x) {
        long t0 = Profiler.start();
        return Profiler.forward("log_softmax", t0, ActivationOps.logSoftmax(x));
    }

    /** log σ(x) elementwise, computed without overflow (the book's {@code F.logsigmoid}). */
    public static Tensor logSigmoid(Tensor x) {
        return ActivationOps.logSigmoid(x);
    }

    /**
     * Multi-head causal attention: q [B, Tq, C], k and v [B, Tk, C] (Tq ≤ Tk; query i sits at position
     * i + Tk − Tq), {@code heads} heads side by side in C, scaled by 1/√(C/heads), dropout {@code dropP} on the
     * attention weights (pass 0 in evaluation; {@code rng} may then be null) → [B, Tq, C].
     */
    public static Tensor causalAttention(Tensor q, Tensor k, Tensor v, int heads, float dropP, RandomGenerator rng) {
        long t0 = Profiler.start();
        return Profiler.forward("attention", t0, AttentionOp.causalAttention(q, k, v, heads, dropP, rng));
    }

    /**
     * Causal attention with grouped key/value heads, a custom scale and an optional sliding window (see
     * {@link AttentionSpec}): q [B, Tq, H·hd], k and v [B, Tk, Hkv·hd] (query i sits at position i + Tk − Tq)
     * → [B, Tq, H·hd].
     */
    public static Tensor attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec, float dropP, RandomGenerator rng) {
        long t0 = Profiler.start();
        return Profiler.forward("attention", t0, AttentionOp.attention(q, k, v, spec, dropP, rng));
    }

    /** Mean cross-entropy of logits [..., V] against {@code targets} (one per row), skipping {@code ignoreIndex}. */
    public static Tensor crossEntropy(Tensor logits, int[] targets, int ignoreIndex) {
        long t0 = Profiler.start();
        return Profiler.forward("cross_entropy", t0, LossOps.crossEntropy(logits, targets, ignoreIndex));
    }

    /** {@link #crossEntropy(Tensor, int[], int)} with ignoreIndex −100. */
    public static Tensor crossEntropy(Tensor logits, int[] targets) {
        long t0 = Profiler.start();
        return Profiler.forward("cross_entropy", t0, LossOps.crossEntropy(logits, targets, IGNORE_INDEX));
    }

    /**
     * Mean cross-entropy of the logits {@code head} makes of x [..., emb] against {@code targets} (one per row),
     * skipping {@code ignoreIndex}: the value and gradients of {@code crossEntropy(head.logits(x), targets,
     * ignoreIndex)}, made without the whole logits [rows, vocab] (a few rows at a time; when x's gradient is
     * wanted, backward's work is done chunk by chunk in the forward pass). See {@code LinearCrossEntropyOp}.
     */
    public static Tensor linearCrossEntropy(Tensor x, OutputHead head, int[] targets, int ignoreIndex) {
        long t0 = Profiler.start();
        return Profiler.forward("linear_cross_entropy", t0,
                LinearCrossEntropyOp.linearCrossEntropy(x, head, targets, ignoreIndex, 0));
    }

    /**
     * The average log-probability of each sequence's selected tokens: logits [B, T, V] of ids [B, T] → [B], where
     * row b averages log softmax(logits[b, t − 1])[ids[b, t]] over the positions t ≥ 1 with {@code mask[b, t]}
     * (the book's DPO {@code compute_logprobs}; a row with no such position gives NaN).
     */
    public static Tensor meanTokenLogProbs(Tensor logits, int[] ids, boolean[] mask) {
        return LossOps.meanTokenLogProbs(logits, ids, mask);
    }

    /** a + b, where either may have just the trailing dimensions of the other (a bias, a position table). */
    public static Tensor add(Tensor a, Tensor b) {
        long t0 = Profiler.start();
        return Profiler.forward("add", t0, ElementwiseOps.add(a, b));
    }

    /** a ⊙ b, with the same broadcasting as {@link #add}. */
    public static Tensor mul(Tensor a, Tensor b) {
        long t0 = Profiler.start();
        return Profiler.forward("mul", t0, ElementwiseOps.mul(a, b));
    }

    /** s · x. */
    public static Tensor scale(Tensor x, float s) {
        long t0 = Profiler.start();
        return Profiler.forward("scale", t0, ElementwiseOps.scale(x, s));
    }

    /** Inverted dropout with probability p when training; the identity (x itself) otherwise. */
    public static Tensor dropout(Tensor x, float p, RandomGenerator rng, boolean training) {
        long t0 = Profiler.start();
        return Profiler.forward("dropout", t0, ElementwiseOps.dropout(x, p, rng, training));
    }

    /** The same values in another shape (one dimension may be −1). */
    public static Tensor reshape(Tensor x, int... shape) {
        return ShapeOps.reshape(x, shape);
    }

    /** Swaps two dimensions, as a contiguous copy. */
    public static Tensor transpose(Tensor x, int dim0, int dim1) {
        long t0 = Profiler.start();
        return Profiler.forward("transpose", t0, ShapeOps.transpose(x, dim0, dim1));
    }

    /** Sum of all values → []. */
    public static Tensor sum(Tensor x) {
        long t0 = Profiler.start();
        return Profiler.forward("sum", t0, ReduceOps.sum(x));
    }

    /** Mean of all values → []. */
    public static Tensor mean(Tensor x) {
        long t0 = Profiler.start();
        return Profiler.forward("mean", t0, ReduceOps.mean(x));
    }

    /** Joins tensors along {@code dim}; they must agree on every other dimension. */
    public static Tensor concat(int dim, Tensor... xs) {
        long t0 = Profiler.start();
        return Profiler.forward("concat", t0, ShapeOps.concat(dim, xs));
    }

    /** Cuts x along {@code dim} into consecutive parts of the given sizes (which must add up to that dim). */
    public static List<Tensor> split(Tensor x, int dim, int... sizes) {
        long t0 = Profiler.start();
        List<Tensor> parts = ShapeOps.split(x, dim, sizes);
        for (int i = 0; i < parts.size(); i++) Profiler.forward("split", i == 0 ? t0 : 0L, parts.get(i));
        return parts;
    }

    /** x[..., start : start + length, ...] along {@code dim}, as a copy. */
    public static Tensor narrow(Tensor x, int dim, int start, int length) {
        long t0 = Profiler.start();
        return Profiler.forward("narrow", t0, ShapeOps.narrow(x, dim, start, length));
    }
}
