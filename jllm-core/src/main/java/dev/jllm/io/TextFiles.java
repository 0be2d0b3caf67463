package dev.jllm.io;

import dev.jllm.tokenizer.Utf8;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reading text files the way every jllm reader of text does ({@link Utf8}: strict UTF-8, an error naming the file
 * and the offset of a bad byte, a leading byte-order mark dropped), with one-line errors for missing or unreadable
 * files.
 */
public final class TextFiles {
    private TextFiles() {}

    /** The whole file as text; a missing, unreadable or non-UTF-8 file is an error that names it. */
    public static String read(Path file) {
        return Utf8.decodeStrict(readBytes(file), file.toString());
    }

    /** The file's lines (without line endings). */
    public static List<String> readLines(Path file) {
        return read(file).lines().toList();
    }

    /** The file's bytes; a missing or unreadable file is an error that names it. */
    public static byte[] readBytes(Path file) {
        try {
            if (Files.isDirectory(file)) throw new IllegalArgumentException(file + ": is a folder, not a file");
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(file + ": permission denied");
        } catch (OutOfMemoryError e) {
            throw new IllegalArgumentException(file + ": too large to read into memory");
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
