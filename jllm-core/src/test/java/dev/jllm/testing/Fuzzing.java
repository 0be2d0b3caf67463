package dev.jllm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the {@code *FuzzTest}s (Jazzer, coverage-guided) demand of a reader given arbitrary bytes: it reads them, or
 * refuses them with jllm's one-line error, an {@link IllegalArgumentException} whose message says what is wrong.
 * Anything else (an index or arithmetic error, a null pointer, an OutOfMemoryError, a leaked parser exception such
 * as {@link NumberFormatException}, a hang) is a finding: Jazzer saves the input and the test fails.
 */
public final class Fuzzing {
    private Fuzzing() {}

    /** A body that reads untrusted input. */
    @FunctionalInterface
    public interface Reader {
        void read() throws Exception;
    }

    /** Runs {@code reader}; a clean refusal passes, every other exception propagates to Jazzer. */
    public static void readsOrRefuses(Reader reader) throws Exception {
        try {
            reader.read();
        } catch (NumberFormatException e) {
            throw new AssertionError("a parser's exception leaked instead of a message: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) throw new AssertionError("a refusal without a message", e);
        }
    }

    /** A scratch folder for one fuzz test's files, created once per JVM. */
    public static Path scratch(String name) {
        try {
            Path dir = Files.createTempDirectory("jllm-fuzz-" + name);
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code bytes} to {@code file}, replacing it. */
    public static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
