package dev.jllm.prompt;

import dev.jllm.chat.ChatTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One preference pair for a model's chat template ({@code finetune dpo --format chat}): a conversation and two
 * replies to it, the preferred and the dispreferred.
 *
 * @param prompt   the messages the replies answer
 * @param chosen   the preferred reply's content
 * @param rejected the dispreferred reply's content
 */
public record ChatPreference(List<Map<String, Object>> prompt, String chosen, String rejected) {

    public ChatPreference {
        prompt = List.copyOf(prompt);
        if (prompt.isEmpty()) throw new IllegalArgumentException("the prompt has no message");
    }

    /** The book's entry: the user's message as {@link ChatExample#userText} writes it. */
    public static ChatPreference of(PreferenceExample e) {
        return new ChatPreference(List.of(ChatTemplate.message("user", ChatExample.userText(e))), e.chosen(), e.rejected());
    }

    /** The prompt followed by {@code reply} as the assistant's message. */
    public List<Map<String, Object>> withReply(String reply) {
        List<Map<String, Object>> out = new ArrayList<>(prompt);
        out.add(ChatTemplate.message("assistant", reply));
        return out;
    }

    /** Whether a reply holds thinking (see {@link ChatExample#holdsThinking}). */
    public boolean holdsThinking() {
        return new ChatExample(withReply(chosen)).holdsThinking() || new ChatExample(withReply(rejected)).holdsThinking();
    }
}
