package dev.jllm.finetune.dpo;

import dev.jllm.data.Batches;
import dev.jllm.finetune.classify.ClassificationDataset;
import dev.jllm.finetune.instruct.InstructionCollator;
import dev.jllm.prompt.PromptFormat;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The book's DPO {@code custom_collate_fn}: chosen and rejected sequences padded with {@code padId} to one length,
 * the longest of either plus one, then cut to {@code allowedMaxLength}; each with a mask that is true on response
 * tokens only (prompt and padding masked).
 *
 * <p>The book masks the prompt's tokens plus two more ({@code mask[:prompt_len + 2] = False}): with GPT-2's
 * tokenizer the two newlines before {@code ###}, so {@code "### Response:\n"} (4 tokens) stays in its loss. Here the
 * mask starts at the first token after the whole response header ({@link EncodedPreference#responseStart()}):
 * response tokens only, as the issue asks, for any {@link PromptFormat}.
 *
 * @param padId            padding id (50256)
 * @param allowedMaxLength longest sequence kept (1,024)
 */
public record PreferenceCollator(int padId, int allowedMaxLength) {

    public PreferenceCollator {
        if (allowedMaxLength < 1) throw new IllegalArgumentException("allowed max length must be positive: " + allowedMaxLength);
    }

    /** The book's settings: pad 50256, at most 1,024 tokens. */
    public static PreferenceCollator book() {
        return new PreferenceCollator(ClassificationDataset.GPT2_PAD_ID, 1024);
    }

    public PreferenceBatch collate(List<EncodedPreference> batch) {
        if (batch.isEmpty()) throw new IllegalArgumentException("cannot collate an empty batch");
        int common = 0;
        for (EncodedPreference e : batch) common = Math.max(common, Math.max(e.chosen().length, e.rejected().length) + 1);
        int t = Math.min(common, allowedMaxLength);
        int b = batch.size();
        int[] chosen = new int[b * t];
        int[] rejected = new int[b * t];
        boolean[] chosenMask = new boolean[b * t];
        boolean[] rejectedMask = new boolean[b * t];
        for (int r = 0; r < b; r++) {
            EncodedPreference e = batch.get(r);
            fill(e.chosen(), e.responseStart(), chosen, chosenMask, r * t, t);
            fill(e.rejected(), e.responseStart(), rejected, rejectedMask, r * t, t);
        }
        return new PreferenceBatch(chosen, chosenMask, rejected, rejectedMask, b, t);
    }

    /** One pass over {@code data} in batches, as {@link InstructionCollator#batches}. */
    public List<PreferenceBatch> batches(List<EncodedPreference> data, int batchSize, Random shuffle, boolean dropLast) {
        return Batches.collate(data, batchSize, shuffle, dropLast, this::collate);
    }

    private void fill(int[] tokens, int responseStart, int[] ids, boolean[] mask, int offset, int t) {
        Arrays.fill(ids, offset, offset + t, padId);
        int n = Math.min(tokens.length, t);
        System.arraycopy(tokens, 0, ids, offset, n);
        for (int j = responseStart; j < n; j++) mask[offset + j] = true;
    }
}
