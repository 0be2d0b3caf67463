package dev.jllm.nn;

import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;

/** A lookup table: row {@code id} of the weight [count, dim] is the vector of token (or position) {@code id}. */
public final class Embedding extends Module {
    public final int count;
    public final int dim;
    /** [count, dim] */
    public final Tensor weight;

    public Embedding(int count, int dim) {
        this.count = count;
        this.dim = dim;
        this.weight = parameter("weight", Tensor.zeros(count, dim));
    }

    /** ids laid out with {@code shape} (e.g. [B, T]) → [..shape, dim]. */
    public Tensor forward(int[] ids, int... shape) {
        return Ops.embedding(weight, ids, shape);
    }
}
