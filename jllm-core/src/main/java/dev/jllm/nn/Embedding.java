package dev.jllm.nn;

import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;

/** A lookup table: row {@code id} of the weight [count, dim] is the vector of token (or position) {@code id}. */
public final class Embedding extends Module {
    public final int count;
    public final int dim;
    /** [count, dim] */
    public final Tensor weight;

    /** The row that gets no gradient (PyTorch's padding_idx), or -1. */
    public final int paddingIdx;

    public Embedding(int count, int dim) {
        this(count, dim, -1);
    }

    public Embedding(int count, int dim, int paddingIdx) {
        this(count, dim, paddingIdx, ParameterSource.NEW);
    }

    /** A table whose weight {@code source} gives. */
    public Embedding(int count, int dim, int paddingIdx, ParameterSource source) {
        this.count = count;
        this.dim = dim;
        this.paddingIdx = paddingIdx;
        this.weight = parameter("weight", source, 0f, count, dim);
    }

    /** ids laid out with {@code shape} (e.g. [B, T]) → [..shape, dim]. */
    public Tensor forward(int[] ids, int... shape) {
        return paddingIdx < 0 ? Ops.embedding(weight, ids, shape) : Ops.embeddingPadded(weight, ids, paddingIdx, shape);
    }
}
