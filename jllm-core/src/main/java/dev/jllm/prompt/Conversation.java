package dev.jllm.prompt;

import dev.jllm.chat.ChatTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The text a chat feeds its model: the earlier turns and the new message, in the model's prompt format; or, for a
 * model without a format (plain GPT-2), one growing text that the model continues (each message on a new line).
 *
 * <p>With a format, each earlier turn is written as a training example ({@code format.withResponse}) and the turns
 * are joined by a blank line; the new message ends with the response header, so the model answers it. With the
 * model's own chat template ({@link ChatTemplate}), the turns are its messages, rendered with the generation prompt.
 */
public final class Conversation {

    /** One exchange; as an {@link Instruction} it has no separate input. */
    public record Turn(String instruction, String reply) implements Instruction {
        @Override
        public String input() {
            return "";
        }
    }

    private static final String SEPARATOR = "\n\n";

    private final PromptFormat format;
    private final ChatTemplate template;
    private final Boolean enableThinking;
    private final List<Turn> turns = new ArrayList<>();

    /** @param format the model's prompt format, or null for completion mode */
    public Conversation(PromptFormat format) {
        this.format = format;
        this.template = null;
        this.enableThinking = null;
    }

    /**
     * A conversation in the model's chat template; {@code enableThinking} false asks a thinking model (Qwen3) not
     * to think, null leaves it to the template.
     */
    public Conversation(ChatTemplate template, Boolean enableThinking) {
        this.format = null;
        this.template = template;
        this.enableThinking = enableThinking;
    }

    /** The text for the model to continue after the user wrote {@code message}. */
    public String prompt(String message) {
        if (template != null) {
            List<Map<String, Object>> messages = new ArrayList<>();
            for (Turn t : turns) {
                messages.add(ChatTemplate.message("user", t.instruction()));
                messages.add(ChatTemplate.message("assistant", t.reply()));
            }
            messages.add(ChatTemplate.message("user", message));
            return template.render(messages, true, enableThinking);
        }
        StringBuilder s = new StringBuilder();
        for (Turn t : turns) {
            if (format == null) s.append(t.instruction()).append(t.reply()).append('\n');
            else s.append(format.withResponse(t, t.reply())).append(SEPARATOR);
        }
        if (format == null) return s.append(message).toString();
        return s.append(format.prompt(new Turn(message, ""))).append(format.responseHeader()).toString();
    }

    /**
     * The reply to show and keep, from the model's continuation of {@link #prompt}: with a format, what follows the
     * response marker (if the model repeated one), stripped; without, the continuation as it is.
     */
    public String reply(String continuation) {
        if (template != null) return continuation.strip();
        return format == null ? continuation : format.extractResponse(continuation);
    }

    /** Records an exchange, so that the next prompt includes it. */
    public void add(String message, String reply) {
        turns.add(new Turn(message, reply));
    }

    /** Forgets the oldest exchange (to fit the context); false when there is none. */
    public boolean dropOldest() {
        if (turns.isEmpty()) return false;
        turns.removeFirst();
        return true;
    }

    public void reset() {
        turns.clear();
    }

    public int turns() {
        return turns.size();
    }

    /** The format, or null in completion mode and with a chat template. */
    public PromptFormat format() {
        return format;
    }

    /** The chat template, or null. */
    public ChatTemplate template() {
        return template;
    }

    /** How the conversation is written, in words. */
    public String describe() {
        if (template != null) return "the model's chat template" + (Boolean.FALSE.equals(enableThinking) ? ", no thinking" : "");
        return format == null ? "no prompt format: completion mode" : format.cliName() + " format";
    }
}
