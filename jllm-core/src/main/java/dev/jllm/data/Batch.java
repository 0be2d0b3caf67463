package dev.jllm.data;

/**
 * A batch for next-token training: {@code inputs} and {@code targets} are row-major [batchSize, length] token ids,
 * row {@code b} holding example {@code b}; each target is the id that should follow its input position (the inputs
 * shifted by one token), or {@link dev.jllm.tensor.Ops#IGNORE_INDEX} where the loss skips it (padding, a masked
 * prompt).
 */
public record Batch(int[] inputs, int[] targets, int batchSize, int length) {
    public Batch {
        if (inputs.length != batchSize * length || targets.length != batchSize * length) {
            throw new IllegalArgumentException("batch arrays must hold " + batchSize + " x " + length + " ids, got "
                    + inputs.length + " inputs and " + targets.length + " targets");
        }
    }
}
