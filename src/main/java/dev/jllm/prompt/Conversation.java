package dev.jllm.prompt;

import java.util.ArrayList;
import java.util.List;

/**
 * The text a chat feeds its model: the earlier turns and the new message, in the model's prompt format; or, for a
 * model without a format (plain GPT-2), one growing text that the model continues (each message on a new line).
 *
 * <p>With a format, each earlier turn is written as a training example ({@code format.withResponse}) and the turns
 * are joined by a blank line; the new message ends with the response header, so the model answers it.
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
    private final List<Turn> turns = new ArrayList<>();

    /** @param format the model's prompt format, or null for completion mode */
    public Conversation(PromptFormat format) {
        this.format = format;
    }

    /** The text for the model to continue after the user wrote {@code message}. */
    public String prompt(String message) {
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

    /** The format, or null in completion mode. */
    public PromptFormat format() {
        return format;
    }
}
