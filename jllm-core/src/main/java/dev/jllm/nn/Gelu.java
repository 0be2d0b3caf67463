package dev.jllm.nn;

import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;

/** GELU with GPT-2's tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
public final class Gelu extends Module {
    public Tensor forward(Tensor x) {
        return Ops.gelu(x);
    }
}
