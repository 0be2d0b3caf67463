package dev.jllm.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 decoding: invalid bytes are an error naming the source and the byte offset, not a silent U+FFFD. */
final class Utf8 {
    private Utf8() {}

    static String decodeStrict(byte[] bytes, String source) {
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
        return out.flip().toString(); // no overflow: UTF-8 never gives more chars than bytes
    }
}
