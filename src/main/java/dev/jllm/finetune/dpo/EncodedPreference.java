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
}
