package dev.jllm.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jllm.prompt.InstructionExample;
import dev.jllm.prompt.PromptFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Chat messages ({@code [{"role": "user", "content": "..."}]}) as one prompt for the model.
 *
 * <p>With an instruction format each user message is an instruction, each assistant message the response to the
 * one before it, and the prompt ends with the response header so that the model writes the next reply. Without one
 * (a base model) the contents are simply joined by newlines and the model continues the text. System messages are
 * put in front, in both cases.
 */
final class ChatPrompt {
    private ChatPrompt() {}

    record Message(String role, String content) {}

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");

    /** The {@code messages} field: a non-empty list of {role, content}; content a string or a list of text parts. */
    static List<Message> parse(JsonNode messages) {
        if (messages == null || messages.isNull()) {
            throw ApiException.invalid("you must provide a 'messages' parameter", "messages");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw ApiException.invalid("'messages' must be a non-empty list", "messages");
        }
        List<Message> list = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) throw ApiException.invalid(where + " must be an object", where);
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual() || !ROLES.contains(role.asText())) {
                throw ApiException.invalid(where + ".role must be one of system, developer, user, assistant",
                        where + ".role");
            }
            list.add(new Message(role.asText(), content(m.get("content"), where + ".content")));
        }
        return list;
    }

    private static String content(JsonNode c, String where) {
        if (c == null || c.isNull()) return "";
        if (c.isTextual()) return c.asText();
        if (c.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : c) {
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw ApiException.invalid(where + " parts must be {\"type\": \"text\", \"text\": ...}", where);
                }
                text.append(part.get("text").asText());
            }
            return text.toString();
        }
        throw ApiException.invalid(where + " must be a string or a list of text parts", where);
    }

    static String prompt(List<Message> messages, PromptFormat format) {
        StringBuilder system = new StringBuilder();
        for (Message m : messages) {
            if (isSystem(m)) system.append(m.content()).append("\n\n");
        }
        List<Message> turns = messages.stream().filter(m -> !isSystem(m)).toList();
        return system + (format == null ? plain(turns) : instructions(turns, format));
    }

    private static boolean isSystem(Message m) {
        return m.role().equals("system") || m.role().equals("developer");
    }

    private static String plain(List<Message> turns) {
        return String.join("\n", turns.stream().map(Message::content).toList());
    }

    private static String instructions(List<Message> turns, PromptFormat format) {
        StringBuilder text = new StringBuilder();
        StringBuilder pending = null; // the user's words that no assistant message has answered yet
        for (Message m : turns) {
            if (m.role().equals("user")) {
                pending = pending == null ? new StringBuilder(m.content()) : pending.append('\n').append(m.content());
            } else {
                text.append(format.withResponse(instruction(pending), m.content())).append("\n\n");
                pending = null;
            }
        }
        if (pending != null) return text + format.prompt(instruction(pending)) + format.responseHeader();
        return text.toString().stripTrailing();
    }

    private static InstructionExample instruction(CharSequence words) {
        return new InstructionExample(words == null ? "" : words.toString(), "", "");
    }
}
