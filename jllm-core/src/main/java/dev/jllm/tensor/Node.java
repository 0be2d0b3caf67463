package dev.jllm.tensor;

/**
 * One recorded op on the tape: the tensors it read and how to push its output's gradient back into theirs.
 * Ops make nodes through {@link Tensor#result}; nothing outside this package needs to.
 */
final class Node {

    /** Adds d(loss)/d(input) into the gradients of the op's inputs that track one, given d(loss)/d(output). */
    @FunctionalInterface
    interface Backward {
        void run(float[] gradOut);
    }

    final Tensor[] inputs;
    final Backward backward;
    /** The op's name for the {@link Profiler}; set only while profiling. */
    String op;

    Node(Tensor[] inputs, Backward backward) {
        this.inputs = inputs;
        this.backward = backward;
    }
}
