package dev.jllm.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * GPT-2's pre-tokenizer: splits text into the pieces that BPE then encodes one by one. It is a hand-written
 * scanner for OpenAI's regular expression
 *
 * <pre>{@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}</pre>
 *
 * with the Unicode meaning tiktoken gives it: {@code \p{L}} is the general category Letter, {@code \p{N}} the
 * category Number, {@code \s} the White_Space property. A scanner needs no backtracking and allocates nothing.
 *
 * <p>What the expression does, in words: an apostrophe contraction; else a run of letters, of numbers or of
 * "other" characters, each optionally led by one space; else a run of whitespace, which gives its last
 * character to the next piece when a non-space follows (so that {@code "  hello"} becomes {@code " "},
 * {@code " hello"}).
 */
final class Pretokenizer {
    private Pretokenizer() {}

    static final int LETTER = 0;
    static final int NUMBER = 1;
    static final int SPACE = 2;
    static final int OTHER = 3;

    /** Class of each ASCII character (the common case, without a Unicode table look-up). */
    private static final byte[] ASCII_CLASS = new byte[128];

    static {
        for (int c = 0; c < 128; c++) ASCII_CLASS[c] = (byte) unicodeClass(c);
    }

    /** The class of a code point: {@link #LETTER}, {@link #NUMBER}, {@link #SPACE} or {@link #OTHER}. */
    static int classOf(int cp) {
        return cp < 128 ? ASCII_CLASS[cp] : unicodeClass(cp);
    }

    private static int unicodeClass(int cp) {
        int type = Character.getType(cp);
        return switch (type) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            // White_Space = the separators Zs, Zl, Zp plus U+0009..U+000D and U+0085
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> SPACE;
            default -> (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 ? SPACE : OTHER;
        };
    }

    /**
     * The end (exclusive) of the piece that starts at {@code start} in {@code text[start, end)}; always
     * greater than {@code start} when {@code start < end}.
     */
    static int pieceEnd(String text, int start, int end) {
        char c = text.charAt(start);
        if (c == '\'' && start + 1 < end) {
            char d = text.charAt(start + 1);
            if (d == 's' || d == 't' || d == 'm' || d == 'd') return start + 2;
            if (start + 2 < end) {
                char e = text.charAt(start + 2);
                if ((d == 'r' || d == 'v') && e == 'e' || d == 'l' && e == 'l') return start + 3;
            }
        }
        int cp = c < 128 ? c : text.codePointAt(start);
        int cls = classOf(cp);
        int p = start;
        if (c == ' ' && start + 1 < end) {
            // " ?" before a letter, number or other run: the space joins that run
            int next = text.codePointAt(start + 1);
            int nextClass = classOf(next);
            if (nextClass != SPACE) {
                cls = nextClass;
                cp = next;
                p = start + 1;
            }
        }
        if (cls != SPACE) return runEnd(text, p + Character.charCount(cp), end, cls);
        int runEnd = runEnd(text, start + 1, end, SPACE); // White_Space characters are all in the BMP
        if (runEnd == end || runEnd - start == 1) return runEnd; // \s+ to the end, or a single \s
        return runEnd - 1; // \s+(?!\S): leave the last space to the piece that follows
    }

    /** The end of the run of characters of class {@code cls} that goes on at {@code p}. */
    private static int runEnd(String text, int p, int end, int cls) {
        while (p < end) {
            char ch = text.charAt(p);
            if (ch < 128) {
                if (ASCII_CLASS[ch] != cls) break;
                p++;
            } else {
                int cp = text.codePointAt(p);
                if (unicodeClass(cp) != cls) break;
                p += Character.charCount(cp);
            }
        }
        return p;
    }

    /** All the pieces of {@code text}, in order (for tests and training; encoding uses {@link #pieceEnd}). */
    static List<String> split(String text) {
        List<String> pieces = new ArrayList<>();
        for (int p = 0; p < text.length(); ) {
            int e = pieceEnd(text, p, text.length());
            pieces.add(text.substring(p, e));
            p = e;
        }
        return pieces;
    }
}
