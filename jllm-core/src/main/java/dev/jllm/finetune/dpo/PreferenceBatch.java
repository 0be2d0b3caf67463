package dev.jllm.finetune.dpo;

/**
 * A DPO batch: the chosen and the rejected texts, padded to one common length, with masks over response tokens.
 *
 * <p>{@code chosenMask[i]} is true when {@code chosen[i]} is a response token (not prompt, not padding). The
 * log-probability of token i comes from the logits at i - 1, so the loss uses the masks from position 1 on, as the
 * book's {@code compute_logprobs} does with {@code selection_mask[:, 1:]}.
 *
 * @param chosen       ids [size, length]
 * @param chosenMask   [size, length]
 * @param rejected     ids [size, length]
 * @param rejectedMask [size, length]
 */
public record PreferenceBatch(int[] chosen, boolean[] chosenMask, int[] rejected, boolean[] rejectedMask,
                              int size, int length) {}
