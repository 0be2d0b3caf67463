package dev.jllm.nn;

import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;

/**
 * Root-mean-square normalisation of the last dimension, x / √(mean(x²) + eps) · (offset + weight): offset 0 is
 * Llama's and Qwen's RMSNorm (weight starts at 1), offset 1 Gemma's (weight starts at 0).
 */
public final class RMSNorm extends Module {
    public final float eps;
    public final float offset;
    /** [dim] */
    public final Tensor weight;

    public RMSNorm(int dim, float eps, float offset) {
        this(dim, eps, offset, ParameterSource.NEW);
    }

    /** A norm whose weight {@code source} gives (a new one starts at 1 − offset: the identity). */
    public RMSNorm(int dim, float eps, float offset, ParameterSource source) {
        this.eps = eps;
        this.offset = offset;
        this.weight = parameter("weight", source, 1f - offset, dim);
    }

    /** x [..., dim] → [..., dim] */
    public Tensor forward(Tensor x) {
        return Ops.rmsNorm(x, weight, offset, eps);
    }
}
