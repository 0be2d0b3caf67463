package dev.jllm.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading a JSON file with every problem as one line naming the file. */
public final class JsonFile {
    private JsonFile() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The file's JSON tree; an {@link IllegalArgumentException} of one line if it is missing, unreadable or not JSON. */
    public static JsonNode read(Path file) {
        try {
            return JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw failure(file, e);
        }
    }

    /** The one-line error for a failure while reading {@code file} as JSON. */
    public static IllegalArgumentException failure(Path file, IOException e) {
        if (e instanceof NoSuchFileException) return new IllegalArgumentException(file + ": file not found");
        if (e instanceof JacksonException j) {
            return new IllegalArgumentException(file + ": not valid JSON (" + j.getOriginalMessage().lines().findFirst().orElse("") + ")");
        }
        return new IllegalArgumentException(file + ": cannot read: " + e.getMessage());
    }
}
