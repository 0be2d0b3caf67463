package dev.jllm.nn;

import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;

/** y = x·Wᵀ + b, with W stored [out, in] like PyTorch's {@code nn.Linear}. */
public final class Linear extends Module {
    public final int in;
    public final int out;
    /** [out, in] */
    public final Tensor weight;
    /** [out], or null without bias */
    public final Tensor bias;

    public Linear(int in, int out, boolean bias) {
        this.in = in;
        this.out = out;
        this.weight = parameter("weight", Tensor.zeros(out, in));
        this.bias = bias ? parameter("bias", Tensor.zeros(out)) : null;
    }

    /** x [..., in] → [..., out] */
    public Tensor forward(Tensor x) {
        return Ops.linear(x, weight, bias);
    }
}
