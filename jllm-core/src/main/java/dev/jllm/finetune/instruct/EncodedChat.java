package dev.jllm.finetune.instruct;

import dev.jllm.prompt.ChatExample;
import dev.jllm.prompt.ChatFormat;
import java.util.ArrayList;
import java.util.List;

/** Conversations encoded in a model's chat template for instruction finetuning ({@code --format chat}). */
public final class EncodedChat {
    private EncodedChat() {}

    /**
     * Every conversation's examples ({@link ChatFormat#encode}); a conversation the template cannot render, or
     * cannot render consistently, is one line naming {@code source} and its entry ({@code first} + its index).
     */
    public static List<ChatFormat.Tokens> encode(List<ChatExample> data, ChatFormat chat, String source, int first) {
        List<ChatFormat.Tokens> out = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            try {
                out.addAll(chat.encode(data.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ": entry " + (first + i) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * The examples with at least one learned token among their first {@code maxLength + 1} (the inputs of a row cut to
     * {@code maxLength} predict those): an example whose replies all lie beyond would only add ignored targets.
     */
    public static List<ChatFormat.Tokens> fitting(List<ChatFormat.Tokens> examples, int maxLength) {
        return examples.stream().filter(e -> {
            for (int k = 1; k < Math.min(e.ids().length, maxLength + 1); k++) if (e.learned()[k]) return true;
            return false;
        }).toList();
    }
}
