package dev.jllm.finetune.dpo;

import dev.jllm.prompt.ChatFormat;
import dev.jllm.prompt.ChatPreference;
import dev.jllm.prompt.PreferenceExample;
import dev.jllm.prompt.PromptFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A tokenized preference pair: the prompt with the chosen response, and with the rejected one.
 *
 * @param chosen        ids of {@code format.withResponse(entry, entry.chosen())}; with a chat template, of the
 *                      conversation through the chosen reply's end-of-turn token
 * @param rejected      the same with the rejected response
 * @param responseStart number of ids of the prompt plus the response header (with a chat template, the generation
 *                      prompt): the first response token's position
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
     * Pairs in a model's chat template ({@link ChatFormat}): the prompt is the conversation with the generation prompt,
     * each response the assistant's reply through its end-of-turn token; a pair the template cannot render, or cannot
     * render consistently, is one line naming {@code source} and its entry ({@code first} + its index).
     */
    public static List<EncodedPreference> encode(List<ChatPreference> data, ChatFormat chat, String source, int first) {
        List<EncodedPreference> out = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            ChatPreference p = data.get(i);
            Boolean thinking = ChatFormat.enableThinking(p.holdsThinking());
            try {
                ChatFormat.Reply chosen = chat.reply(p.withReply(p.chosen()), thinking);
                ChatFormat.Reply rejected = chat.reply(p.withReply(p.rejected()), thinking);
                out.add(new EncodedPreference(chosen.ids(), rejected.ids(), chosen.start())); // the same prompt: the same start
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ": entry " + (first + i) + ": " + e.getMessage(), e);
            }
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
