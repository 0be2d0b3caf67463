package dev.jllm.finetune.classify;

/**
 * One classification example: the text and the index of its class (into {@link ClassificationData#labels()}).
 *
 * @param text  the message as it was in the file
 * @param label class index, 0-based
 */
public record LabeledText(String text, int label) {}
