package dev.jllm.tensor;

import dev.jllm.kernels.AttentionKernel;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/** Causal self-attention (multi-head or grouped-query), fused: see {@link AttentionKernel} for the memory plan. */
final class AttentionOp {
    private AttentionOp() {}

    // causalAttention: q [B, Tq, C], k [B, Tk, C], v [B, Tk, C], C = heads·hd, head h in columns h·hd..(h+1)·hd
    //   → y [B, Tq, C] with y_h = dropout(softmax(q_h·k_hᵀ/√hd + causal mask)) · v_h, heads merged back.
    static Tensor causalAttention(Tensor q, Tensor k, Tensor v, int heads, float dropP, RandomGenerator rng) {
        Shapes.require(q.rank() == 3 && heads > 0 && q.dim(2) % heads == 0,
                "causalAttention: the " + (q.rank() == 3 ? q.dim(2) : 0) + " channels of q " + q.shapeString()
                        + " do not split into " + heads + " heads");
        return attention(q, k, v, AttentionSpec.of(heads, heads, q.dim(2) / heads), dropP, rng);
    }

    // attention: q [B, Tq, H·hd], k and v [B, Tk, Hkv·hd] → y [B, Tq, H·hd], with query head h reading key/value
    //   head h / (H / Hkv): y_h = dropout(softmax(scale·q_h·k_gᵀ + causal (and window) mask)) · v_g.
    // Saves only the row log-sum-exp [B, H, Tq]; backward recomputes the weights (and the dropout mask,
    // from a seed drawn from rng) and adds into dq, dk, dv.
    static Tensor attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec, float dropP, RandomGenerator rng) {
        Shapes.require(q.rank() == 3 && k.rank() == 3 && v.rank() == 3,
                "attention: q, k, v must be [B, T, C], got " + q.shapeString() + ", " + k.shapeString()
                        + ", " + v.shapeString());
        Shapes.require(Arrays.equals(k.shape(), v.shape()) && q.dim(0) == k.dim(0)
                        && q.dim(2) == spec.heads() * spec.headDim() && k.dim(2) == spec.kvHeads() * spec.headDim(),
                "attention: shapes q " + q.shapeString() + ", k " + k.shapeString() + ", v " + v.shapeString()
                        + " do not match " + spec);
        Shapes.require(dropP >= 0f && dropP < 1f, "attention: dropout must be in [0, 1), got " + dropP);
        Shapes.require(dropP == 0f || rng != null, "attention: dropout " + dropP + " needs a random generator");
        var dims = new AttentionKernel.Dims(q.dim(0), q.dim(1), k.dim(1), spec.heads(), spec.kvHeads(),
                spec.headDim(), spec.scale(), spec.window());
        long seed = dropP > 0f ? rng.nextLong() : 0L;
        boolean rec = Tensor.recording(q, k, v);
        float[] y = Workspace.floats(q.size());
        float[] lse = rec ? Workspace.floats(dims.batch() * spec.heads() * dims.tq()) : null;
        AttentionKernel.forward(q.data(), k.data(), v.data(), y, lse, dims, dropP, seed);
        return Tensor.result(y, q.shape(), g -> AttentionKernel.backward(q.data(), k.data(), v.data(), y, lse, g,
                q.requiresGrad() ? q.gradOrCreate() : null,
                k.requiresGrad() ? k.gradOrCreate() : null,
                v.requiresGrad() ? v.gradOrCreate() : null, dims, dropP, seed), q, k, v);
    }
}
