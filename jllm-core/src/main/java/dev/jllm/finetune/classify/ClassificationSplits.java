package dev.jllm.finetune.classify;

import dev.jllm.finetune.Splits;
import java.util.List;
import java.util.function.Function;

/**
 * Chapter 6's data pipeline in one call: balance (optionally), shuffle and split 70/10/20, tokenize, and pad all
 * three parts to one length, the longest training message (or {@code maxLength}), within the model's context.
 *
 * @param labels     class names, index = class id
 * @param length     the padded length T of every batch
 * @param truncated  messages (over all parts) longer than {@code length}, cut to their first {@code length} tokens
 */
public record ClassificationSplits(List<String> labels, ClassificationDataset train, ClassificationDataset validation,
                                   ClassificationDataset test, int length, int truncated) {

    /**
     * @param balance       sample every class down to the smallest class's size first (the book does, for spam)
     * @param seed          fixes the balancing sample and the shuffle
     * @param maxLength     the padded length, or null for the longest training message
     * @param contextLength the model's context; longer messages are truncated to it
     * @param padId         padding id (50256 for GPT-2)
     */
    public static ClassificationSplits prepare(ClassificationData data, boolean balance, long seed,
                                               Function<String, int[]> tokenizer, Integer maxLength,
                                               int contextLength, int padId) {
        Splits<LabeledText> parts = (balance ? data.balanced(seed) : data).split(seed);
        List<int[]> train = ClassificationDataset.encode(parts.train(), tokenizer);
        int length = ClassificationDataset.paddedLength(train, maxLength, contextLength);
        ClassificationDataset trainSet = ClassificationDataset.of(train, parts.train(), length, padId);
        ClassificationDataset validation = ClassificationDataset.of(parts.validation(), tokenizer, length, padId);
        ClassificationDataset test = ClassificationDataset.of(parts.test(), tokenizer, length, padId);
        return new ClassificationSplits(data.labels(), trainSet, validation, test, length,
                trainSet.truncated() + validation.truncated() + test.truncated());
    }
}
