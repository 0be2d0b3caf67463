package dev.jllm.finetune.instruct;

/**
 * A batch for next-token training, as flat row-major arrays.
 *
 * @param inputs  token ids [size, length]
 * @param targets [size, length]: the id that should follow each input position, or the ignore index (-100)
 * @param size    B
 * @param length  T
 */
public record InstructionBatch(int[] inputs, int[] targets, int size, int length) {}
