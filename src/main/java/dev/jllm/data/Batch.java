package dev.jllm.data;

/**
 * A batch of training examples: {@code inputs} and {@code targets} are row-major [batchSize, length] token ids,
 * row {@code b} holding example {@code b}; the targets are the inputs shifted by one token.
 */
public record Batch(int[] inputs, int[] targets, int batchSize, int length) {
    public Batch {
        if (inputs.length != batchSize * length || targets.length != batchSize * length) {
            throw new IllegalArgumentException("batch arrays must hold " + batchSize + " x " + length + " ids, got "
                    + inputs.length + " inputs and " + targets.length + " targets");
        }
    }
}
