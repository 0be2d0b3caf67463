package dev.jllm.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 decoding, as every jllm reader of text does it: invalid bytes are an error naming the source and the
 * byte offset (not a silent U+FFFD, nor Java's "Input length = 1"), and a leading byte-order mark is dropped (editors
 * on Windows write one; it would otherwise glue itself to the first word, header or field).
 */
public final class Utf8 {
    private Utf8() {}

    /** U+FEFF, the byte-order mark, as it appears at the start of a decoded text. */
    public static final char BOM = '\uFEFF';

    /** Strict UTF-8 decoding of {@code bytes} read from {@code source}, without a leading byte-order mark. */
    public static String decodeStrict(byte[] bytes, String source) {
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
