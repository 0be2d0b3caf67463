package dev.jllm.finetune.instruct;

import dev.jllm.data.Batch;
import dev.jllm.data.Batches;
import dev.jllm.finetune.classify.ClassificationDataset;
import dev.jllm.tensor.Ops;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The book's {@code custom_collate_fn} for instruction finetuning (chapter 7).
 *
 * <p>For each sequence of n tokens: append one end token, pad with the end token to the longest sequence of the
 * batch plus one, and take inputs = all but the last id, targets = all but the first. The appended end token stays
 * a target (the model learns to stop); every target after it is set to {@code ignoreIndex}. With
 * {@code maskPrompt}, the targets that predict prompt tokens are ignored as well, so only the response is learned
 * (the book's exercise 7.2). Finally both are cut to {@code allowedMaxLength}.
 *
 * <p>Where the book finds the padding by comparing ids with the pad id, this marks it by position (everything after
 * the appended end token), so an end token inside a text is not mistaken for padding; for texts without one, the
 * two are the same.
 *
 * @param padId            appended as the end token and used as padding (50256, GPT-2's {@code <|endoftext|>})
 * @param ignoreIndex      target value the loss skips ({@link Ops#IGNORE_INDEX}, -100)
 * @param allowedMaxLength longest sequence kept (1,024, GPT-2's context)
 * @param maskPrompt       also ignore the targets inside the prompt
 */
public record InstructionCollator(int padId, int ignoreIndex, int allowedMaxLength, boolean maskPrompt)
        implements InstructionData.Collator<EncodedInstruction> {

    public InstructionCollator {
        if (allowedMaxLength < 1) throw new IllegalArgumentException("allowed max length must be positive: " + allowedMaxLength);
    }

    /** The book's settings: pad 50256, ignore -100, at most 1,024 tokens. */
    public static InstructionCollator book(boolean maskPrompt) {
        return new InstructionCollator(ClassificationDataset.GPT2_PAD_ID, Ops.IGNORE_INDEX, 1024, maskPrompt);
    }

    @Override
    public Batch collate(List<EncodedInstruction> batch) {
        if (batch.isEmpty()) throw new IllegalArgumentException("cannot collate an empty batch");
        int longest = 0;
        for (EncodedInstruction e : batch) longest = Math.max(longest, e.tokens().length);
        int t = Math.min(longest, allowedMaxLength); // inputs hold longest ids: the padded row has longest + 1
        int b = batch.size();
        int[] inputs = new int[b * t];
        int[] targets = new int[b * t];
        int[] padded = new int[longest + 1];
        for (int r = 0; r < b; r++) {
            EncodedInstruction e = batch.get(r);
            int n = e.tokens().length;
            Arrays.fill(padded, padId);
            System.arraycopy(e.tokens(), 0, padded, 0, n);
            for (int j = 0; j < t; j++) {
                inputs[r * t + j] = padded[j];
                // target j is padded[j + 1]: j = n - 1 is the appended end token, later ones are padding.
                boolean padding = j >= n;
                boolean prompt = maskPrompt && j < e.promptLength() - 1;
                targets[r * t + j] = padding || prompt ? ignoreIndex : padded[j + 1];
            }
        }
        return new Batch(inputs, targets, b, t);
    }

    /**
     * One pass over {@code data} in batches, as the book's loaders: training shuffles ({@code shuffle} non-null)
     * and drops the last short batch, validation and test keep the order and every entry.
     */
    public List<Batch> batches(List<EncodedInstruction> data, int batchSize, Random shuffle, boolean dropLast) {
        return Batches.collate(data, batchSize, shuffle, dropLast, this::collate);
    }
}
