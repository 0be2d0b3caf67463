package dev.jllm.nn;

import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;

/** Normalises the last dimension to mean 0 and variance 1 (biased variance, eps 1e-5), then scales and shifts. */
public final class LayerNorm extends Module {
    public static final float EPS = 1e-5f;
    /** [dim], starts at 1 */
    public final Tensor scale;
    /** [dim], starts at 0 */
    public final Tensor shift;

    public LayerNorm(int dim) {
        this.scale = parameter("scale", Tensor.zeros(dim));
        this.shift = parameter("shift", Tensor.zeros(dim));
        java.util.Arrays.fill(scale.data(), 1f);
    }

    public Tensor forward(Tensor x) {
        return Ops.layerNorm(x, scale, shift, EPS);
    }
}
