package dev.jllm.prompt;

import dev.jllm.chat.ChatTemplate;
import java.util.List;
import java.util.Map;

/**
 * One training conversation for a model's chat template ({@code --format chat}): messages with a string
 * {@code role} and {@code content}, at least one of them the assistant's (the replies the model learns).
 *
 * @param messages the conversation, as {@link ChatTemplate#render} takes it
 */
public record ChatExample(List<Map<String, Object>> messages) {

    public ChatExample {
        messages = List.copyOf(messages);
        if (lastReply(messages) < 0) throw new IllegalArgumentException("the conversation has no assistant message to learn");
    }

    /** The book's entry as a conversation: the user's message (see {@link #userText}), the output as the reply. */
    public static ChatExample of(Instruction e, String output) {
        return new ChatExample(List.of(ChatTemplate.message("user", userText(e)), ChatTemplate.message("assistant", output)));
    }

    /** The user's message for a book entry: the instruction, then a blank line and the input when there is one. */
    public static String userText(Instruction e) {
        return e.input().isEmpty() ? e.instruction() : e.instruction() + "\n\n" + e.input();
    }

    /** The messages before the last reply: what the model answers at test time. */
    public List<Map<String, Object>> context() {
        return messages.subList(0, lastReply(messages));
    }

    /** The last reply's content: the reference answer. */
    public String reply() {
        return content(messages.get(lastReply(messages)));
    }

    /** The content of the last user message before the last reply, or {@code ""}. */
    public String lastUserText() {
        List<Map<String, Object>> context = context();
        for (int i = context.size() - 1; i >= 0; i--) if ("user".equals(context.get(i).get("role"))) return content(context.get(i));
        return "";
    }

    /**
     * Whether a reply holds thinking (a {@code reasoning_content}, or {@code <think>} in its content, as Qwen3's template
     * reads it): then the template renders it by its own default, and the thinking is learned with the reply.
     */
    public boolean holdsThinking() {
        for (Map<String, Object> m : messages) {
            if (isReply(m) && (m.get("reasoning_content") instanceof String || content(m).contains("<think>"))) return true;
        }
        return false;
    }

    /** Whether a message is the assistant's. */
    public static boolean isReply(Map<String, ?> message) {
        return "assistant".equals(message.get("role"));
    }

    private static int lastReply(List<? extends Map<String, ?>> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) if (isReply(messages.get(i))) return i;
        return -1;
    }

    private static String content(Map<String, ?> message) {
        return message.get("content") instanceof String s ? s : "";
    }
}
