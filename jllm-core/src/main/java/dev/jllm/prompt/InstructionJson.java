package dev.jllm.prompt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.chat.ChatTemplate;
import dev.jllm.io.TextFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads and writes the book's JSON files: a list of objects with {@code instruction}, {@code input},
 * {@code output} (and {@code chosen}/{@code rejected}, or {@code model_response}); and, for a model's chat template,
 * conversations ({@code {"messages": [...]}}) and preference pairs in TRL's form, also as JSON Lines.
 *
 * <p>A missing {@code input} counts as empty; a missing required field, a value that is not a string, an entry
 * that is not an object or a file that is not a JSON list is a one-line error naming the file and the entry.
 */
public final class InstructionJson {
    private InstructionJson() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code [{"instruction", "input", "output"}, ...]}; instruction and output are required. */
    public static List<InstructionExample> readInstructions(Path file) {
        return read(file, e -> new InstructionExample(
                e.required("instruction"), e.optional("input"), e.required("output")));
    }

    /** As {@link #readInstructions}, plus the required {@code chosen} and {@code rejected}; output is optional. */
    public static List<PreferenceExample> readPreferences(Path file) {
        return read(file, e -> new PreferenceExample(e.required("instruction"), e.optional("input"),
                e.optional("output"), e.required("chosen"), e.required("rejected")));
    }

    /** As {@link #readInstructions}, plus the required {@code model_response}. */
    public static List<ResponseExample> readResponses(Path file) {
        return read(file, e -> new ResponseExample(e.required("instruction"), e.optional("input"),
                e.required("output"), e.required("model_response")));
    }

    /**
     * Conversations for a chat template ({@code --format chat}): a JSON list, or a JSON Lines file, of objects that
     * are either {@code {"messages": [{"role", "content"}, ...]}} (at least one message the assistant's) or the
     * book's {@code {"instruction", "input", "output"}} (a user message, see {@link ChatExample#userText}, and the
     * output as the reply).
     */
    public static List<ChatExample> readConversations(Path file) {
        return read(file, Entry::conversation, true, "a JSON list (or JSON Lines) of {\"messages\": [...]} or "
                + "{\"instruction\", \"input\", \"output\"} objects");
    }

    /**
     * Preference pairs for a chat template: a JSON list, or a JSON Lines file, of objects that are either the book's
     * {@code {"instruction", "input", "chosen", "rejected"}} or TRL's {@code {"prompt", "chosen", "rejected"}},
     * where the prompt is a string (the user's message) or a list of messages, and each reply a string or a list of
     * messages ending with the assistant's.
     */
    public static List<ChatPreference> readChatPreferences(Path file) {
        return read(file, Entry::preference, true, "a JSON list (or JSON Lines) of {\"prompt\", \"chosen\", "
                + "\"rejected\"} or {\"instruction\", \"input\", \"chosen\", \"rejected\"} objects");
    }

    /** Writes responses in the book's {@code instruction-data-with-response.json} form (pretty-printed). */
    public static void writeResponses(Path file, List<ResponseExample> responses) {
        ArrayNode list = JSON.createArrayNode();
        for (ResponseExample r : responses) {
            ObjectNode o = list.addObject();
            o.put("instruction", r.instruction());
            o.put("input", r.input());
            o.put("output", r.output());
            o.put("model_response", r.modelResponse());
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(list));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** One object of the list, with the file and position to name in errors ({@code where}: "FILE: entry 3"). */
    private record Entry(String where, JsonNode node) {
        String required(String field) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) throw new IllegalArgumentException(where + " has no \"" + field + "\"");
            return text(field, v);
        }

        String optional(String field) {
            JsonNode v = node.get(field);
            return v == null || v.isNull() ? "" : text(field, v);
        }

        private String text(String field, JsonNode v) {
            if (!v.isTextual()) throw new IllegalArgumentException(where + ": \"" + field + "\" is not a string");
            return v.textValue();
        }

        /** A list of messages, each with a string role and a string content. */
        List<Map<String, Object>> messages(String field) {
            List<Map<String, Object>> messages = ChatTemplate.messages(node.get(field), where + ": \"" + field + "\"");
            for (int i = 0; i < messages.size(); i++) {
                if (!(messages.get(i).get("content") instanceof String)) {
                    throw new IllegalArgumentException(where + ": \"" + field + "\": message " + (i + 1)
                            + " has a content that is not a string");
                }
            }
            return messages;
        }

        /** A reply: a string, or a list of messages whose last is the assistant's (TRL's conversational form). */
        String reply(String field) {
            JsonNode v = node.get(field);
            if (v == null || !v.isArray()) return required(field);
            List<Map<String, Object>> messages = messages(field);
            if (!ChatExample.isReply(messages.getLast())) {
                throw new IllegalArgumentException(where + ": \"" + field + "\" does not end with an assistant message");
            }
            return (String) messages.getLast().get("content");
        }

        ChatExample conversation() {
            try {
                return node.has("messages") ? new ChatExample(messages("messages"))
                        : ChatExample.of(new InstructionExample(required("instruction"), optional("input"), ""),
                        required("output"));
            } catch (IllegalArgumentException e) {
                if (e.getMessage().startsWith(where)) throw e;
                throw new IllegalArgumentException(where + ": " + e.getMessage());
            }
        }

        ChatPreference preference() {
            if (!node.has("prompt")) {
                return ChatPreference.of(new PreferenceExample(required("instruction"), optional("input"), "",
                        required("chosen"), required("rejected")));
            }
            JsonNode prompt = node.get("prompt");
            List<Map<String, Object>> messages = prompt.isArray() ? messages("prompt")
                    : List.of(ChatTemplate.message("user", required("prompt")));
            return new ChatPreference(messages, reply("chosen"), reply("rejected"));
        }
    }

    private static <T> List<T> read(Path file, Function<Entry, T> make) {
        return read(file, make, false, "a JSON list of objects with \"instruction\", \"input\" and \"output\"");
    }

    /**
     * The entries of a JSON list of objects, or with {@code jsonLines} also of a JSON Lines file (one object per
     * line; a file whose first character is {@code {}).
     */
    private static <T> List<T> read(Path file, Function<Entry, T> make, boolean jsonLines, String expected) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such file");
        // Decoded first as strict UTF-8: Jackson would guess UTF-16/32 from stray bytes and blame a wrong encoding.
        String text = TextFiles.read(file);
        List<T> out = new ArrayList<>();
        if (jsonLines && text.stripLeading().startsWith("{")) {
            List<String> lines = text.lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) continue;
                JsonNode node = parse(file, lines.get(i), i + 1);
                String where = file + ": line " + (i + 1);
                if (!node.isObject()) throw new IllegalArgumentException(where + " is not a JSON object");
                out.add(make.apply(new Entry(where, node)));
            }
            return out;
        }
        JsonNode root = parse(file, text, 0);
        if (root == null || root.isMissingNode() || !root.isArray()) {
            throw new IllegalArgumentException(file + ": expected " + expected);
        }
        for (int i = 0; i < root.size(); i++) {
            JsonNode node = root.get(i);
            if (!node.isObject()) throw new IllegalArgumentException(file + ": entry " + i + " is not a JSON object");
            out.add(make.apply(new Entry(file + ": entry " + i, node)));
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + ": the list is empty");
        return out;
    }

    /** The JSON in {@code text} (the whole file, or its line {@code line} when not 0); one line when it is not JSON. */
    private static JsonNode parse(Path file, String text, int line) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            String position = at == null ? "" : line > 0 ? " (line " + line + ", column " + at.getColumnNr() + ")"
                    : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw new IllegalArgumentException(file + ": not valid JSON" + position + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
    }
}
