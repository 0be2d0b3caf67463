package dev.jllm.finetune.classify;

/**
 * A batch for sequence classification, as flat row-major arrays.
 *
 * @param ids       token ids [size, length], each message padded with the pad id after its last token
 * @param lastIndex [size]: position of each message's last real token, where the classifier reads its output
 * @param labels    [size]: class ids
 * @param size      B, the number of messages
 * @param length    T, the padded length
 */
public record ClassificationBatch(int[] ids, int[] lastIndex, int[] labels, int size, int length) {}
