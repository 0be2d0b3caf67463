package dev.jllm.prompt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.io.TextFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads and writes the book's JSON files: a list of objects with {@code instruction}, {@code input},
 * {@code output} (and {@code chosen}/{@code rejected}, or {@code model_response}).
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

    /** One object of the list, with the file and position to name in errors. */
    private record Entry(Path file, int index, JsonNode node) {
        String required(String field) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                throw new IllegalArgumentException(file + ": entry " + index + " has no \"" + field + "\"");
            }
            return text(field, v);
        }

        String optional(String field) {
            JsonNode v = node.get(field);
            return v == null || v.isNull() ? "" : text(field, v);
        }

        private String text(String field, JsonNode v) {
            if (!v.isTextual()) {
                throw new IllegalArgumentException(file + ": entry " + index + ": \"" + field + "\" is not a string");
            }
            return v.textValue();
        }
    }

    private static <T> List<T> read(Path file, Function<Entry, T> make) {
        JsonNode root;
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such file");
        try {
            // Decoded first as strict UTF-8: Jackson would guess UTF-16/32 from stray bytes and blame a wrong encoding.
            root = JSON.readTree(TextFiles.read(file));
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new IllegalArgumentException(file + ": not valid JSON"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
                    + ": " + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        if (root == null || root.isMissingNode() || !root.isArray()) {
            throw new IllegalArgumentException(file + ": expected a JSON list of objects with \"instruction\", "
                    + "\"input\" and \"output\"");
        }
        List<T> out = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            JsonNode node = root.get(i);
            if (!node.isObject()) throw new IllegalArgumentException(file + ": entry " + i + " is not a JSON object");
            out.add(make.apply(new Entry(file, i, node)));
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + ": the list is empty");
        return out;
    }
}
