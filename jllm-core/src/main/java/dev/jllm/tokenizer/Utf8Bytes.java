package dev.jllm.tokenizer;

/** Text to the token ids of its UTF-8 bytes, without making the bytes: the first step of byte-level BPE. */
final class Utf8Bytes {
    private Utf8Bytes() {}

    /**
     * Writes {@code byteIds[b]} for each UTF-8 byte {@code b} of {@code text[from, to)} into {@code out} from
     * {@code n} on, and returns the new count; {@code out} needs room for {@code 3 * (to - from)} more. A lone
     * surrogate is encoded as U+FFFD, as tiktoken does.
     */
    static int write(String text, int from, int to, int[] byteIds, int[] out, int n) {
        for (int i = from; i < to; i++) {
            int c = text.charAt(i);
            if (c < 0x80) {
                out[n++] = byteIds[c];
                continue;
            }
            if (Character.isHighSurrogate((char) c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
                c = Character.toCodePoint((char) c, text.charAt(++i));
            } else if (Character.isSurrogate((char) c)) {
                c = 0xFFFD;
            }
            if (c < 0x800) {
                out[n++] = byteIds[0xC0 | c >> 6];
            } else if (c < 0x10000) {
                out[n++] = byteIds[0xE0 | c >> 12];
                out[n++] = byteIds[0x80 | (c >> 6 & 0x3F)];
            } else {
                out[n++] = byteIds[0xF0 | c >> 18];
                out[n++] = byteIds[0x80 | (c >> 12 & 0x3F)];
                out[n++] = byteIds[0x80 | (c >> 6 & 0x3F)];
            }
            out[n++] = byteIds[0x80 | (c & 0x3F)];
        }
        return n;
    }
}
