package dev.jllm.nn;

import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;
import java.util.random.RandomGenerator;

/** Zeroes each value with probability p in training mode (scaling the rest by 1/(1-p)); identity in eval mode. */
public final class Dropout extends Module {
    public final float p;
    private final RandomGenerator rng;

    public Dropout(float p, RandomGenerator rng) {
        this.p = p;
        this.rng = rng;
    }

    public Tensor forward(Tensor x) {
        return Ops.dropout(x, p, rng, isTraining());
    }
}
