package dev.jllm.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reading text the way every jllm reader of text files does: strict UTF-8 (an invalid byte is an error naming the
 * file and the byte's offset, never a silent U+FFFD or Java's "Input length = 1"), with a leading byte-order mark
 * dropped (editors on Windows write one; it would otherwise glue itself to the first word, header or field).
 */
public final class TextFiles {
    private TextFiles() {}

    /** U+FEFF, the byte-order mark, as it appears at the start of a decoded text. */
    public static final char BOM = '\uFEFF';

    /** The whole file as text; a missing, unreadable or non-UTF-8 file is an error that names it. */
    public static String read(Path file) {
        return decode(readBytes(file), file.toString());
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

    /** Strict UTF-8 decoding of {@code bytes} from {@code source}, without a leading byte-order mark. */
    public static String decode(byte[] bytes, String source) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isUnderflow()) result = decoder.flush(out);
        if (result.isError()) {
            throw new IllegalArgumentException("%s: not valid UTF-8 (bad byte 0x%02X at offset %d)"
                    .formatted(source, bytes[in.position()] & 0xFF, in.position()));
        }
        return withoutBom(out.flip().toString()); // no overflow: UTF-8 never gives more chars than bytes
    }

    /** {@code text} without a leading byte-order mark. */
    public static String withoutBom(String text) {
        return !text.isEmpty() && text.charAt(0) == BOM ? text.substring(1) : text;
    }
}
