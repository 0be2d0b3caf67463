package dev.jllm.nn;

import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;
import java.util.Arrays;

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
        this.eps = eps;
        this.offset = offset;
        this.weight = parameter("weight", Tensor.zeros(dim));
        Arrays.fill(weight.data(), 1f - offset);
    }

    /** x [..., dim] → [..., dim] */
    public Tensor forward(Tensor x) {
        return Ops.rmsNorm(x, weight, offset, eps);
    }
}
