package dev.jllm.finetune.dpo;

import dev.jllm.prompt.PreferenceExample;
import dev.jllm.prompt.PromptFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A tokenized preference pair: the prompt with the chosen response, and with the rejected one.
 *
 * @param chosen        ids of {@code format.withResponse(entry, entry.chosen())}
 * @param rejected      ids of {@code format.withResponse(entry, entry.rejected())}
 * @param responseStart number of ids of the prompt plus the response header: the first response token's position
 */
public record EncodedPreference(int[] chosen, int[] rejected, int responseStart) {

    /** The book's {@code PreferenceDataset}, in the given format. */
    public static List<EncodedPreference> encode(List<PreferenceExample> data, PromptFormat format,
                                                 Function<String, int[]> tokenizer) {
        List<EncodedPreference> out = new ArrayList<>(data.size());
        for (PreferenceExample e : data) {
            out.add(new EncodedPreference(tokenizer.apply(format.withResponse(e, e.chosen())),
                    tokenizer.apply(format.withResponse(e, e.rejected())),
                    tokenizer.apply(format.prompt(e) + format.responseHeader()).length));
        }
        return out;
    }

    /**
     * Whether both responses keep at least one token within {@code maxLength} tokens. A pair whose prompt fills the
     * allowed length has nothing to compare (its mean log-probability would be 0/0): it is skipped, as instruction
     * tuning trains on what fits.
     */
    public boolean fitsWithin(int maxLength) {
        return responseStart < Math.min(maxLength, chosen.length) && responseStart < Math.min(maxLength, rejected.length);
    }

    /** The pairs that {@linkplain #fitsWithin fit} within {@code maxLength} tokens. */
    public static List<EncodedPreference> fitting(List<EncodedPreference> pairs, int maxLength) {
        return pairs.stream().filter(p -> p.fitsWithin(maxLength)).toList();
    }
}
