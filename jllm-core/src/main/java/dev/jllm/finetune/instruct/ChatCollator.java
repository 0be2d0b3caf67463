package dev.jllm.finetune.instruct;

import dev.jllm.data.Batch;
import dev.jllm.prompt.ChatFormat;
import dev.jllm.tensor.Ops;
import java.util.List;

/**
 * Collation of conversations rendered by a model's chat template ({@link ChatFormat}): inputs = all ids but the last,
 * targets = all but the first, where only the targets that are tokens of an assistant reply (its end-of-turn token
 * included) are kept and every other one is {@code ignoreIndex}; rows are padded with {@code padId} to the longest of
 * the batch and cut to {@code allowedMaxLength}. Unlike the book's {@link InstructionCollator}, no end token is
 * appended: each reply already ends with the template's own.
 *
 * @param padId            fills the rows after their end (never a learned target)
 * @param ignoreIndex      target value the loss skips ({@link Ops#IGNORE_INDEX}, -100)
 * @param allowedMaxLength longest input kept
 */
public record ChatCollator(int padId, int ignoreIndex, int allowedMaxLength)
        implements InstructionData.Collator<ChatFormat.Tokens> {

    public ChatCollator {
        if (allowedMaxLength < 1) throw new IllegalArgumentException("allowed max length must be positive: " + allowedMaxLength);
    }

    @Override
    public Batch collate(List<ChatFormat.Tokens> batch) {
        if (batch.isEmpty()) throw new IllegalArgumentException("cannot collate an empty batch");
        int longest = 1;
        for (ChatFormat.Tokens e : batch) longest = Math.max(longest, e.ids().length);
        int t = Math.min(longest - 1, allowedMaxLength);
        int b = batch.size();
        int[] inputs = new int[b * t];
        int[] targets = new int[b * t];
        for (int r = 0; r < b; r++) {
            int[] ids = batch.get(r).ids();
            boolean[] learned = batch.get(r).learned();
            for (int j = 0; j < t; j++) {
                inputs[r * t + j] = j < ids.length ? ids[j] : padId;
                targets[r * t + j] = j + 1 < ids.length && learned[j + 1] ? ids[j + 1] : ignoreIndex;
            }
        }
        return new Batch(inputs, targets, b, t);
    }
}
