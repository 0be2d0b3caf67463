package dev.jllm.tensor;

/** An op recorded for backward: its inputs, and how to push the output's gradient into theirs. */
public abstract class Node {
    final Tensor[] inputs;

    protected Node(Tensor... inputs) {
        this.inputs = inputs;
    }

    /** Adds d(loss)/d(input) into each input's gradient, given {@code out}'s gradient. */
    protected abstract void backward(Tensor out);
}
