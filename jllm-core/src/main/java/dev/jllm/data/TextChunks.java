package dev.jllm.data;

/**
 * Where a text may be cut so that encoding the pieces one by one gives exactly the ids of encoding it whole.
 *
 * <p>GPT-2's pre-tokenizer never joins a non-space character to the whitespace after it, but it does look ahead
 * inside a run of whitespace ({@code \s+(?!\S)}): cutting {@code "a\n\n|b"} would turn the ids of
 * {@code "\n", "\n"} into the one id of {@code "\n\n"}. So a cut is only made just before a line break whose
 * preceding character is a printable ASCII non-space character: no pre-token spans that point, and the whitespace
 * run that starts there is seen whole by the next piece.
 */
final class TextChunks {
    private TextChunks() {}

    /**
     * The largest safe cut position {@code p} with {@code from < p < text.length()} (the text then splits into
     * {@code [0, p)} and {@code [p, end)}), or -1 when there is none.
     */
    static int lastCut(CharSequence text, int from) {
        for (int p = text.length() - 1; p > Math.max(from, 0); p--) {
            if (text.charAt(p) == '\n' && isPrintableAscii(text.charAt(p - 1))) return p;
        }
        return -1;
    }

    private static boolean isPrintableAscii(char c) {
        return c > ' ' && c < 0x7f;
    }
}
