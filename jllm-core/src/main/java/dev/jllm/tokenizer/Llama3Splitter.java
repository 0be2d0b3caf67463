package dev.jllm.tokenizer;

import static dev.jllm.tokenizer.Pretokenizer.LETTER;
import static dev.jllm.tokenizer.Pretokenizer.NUMBER;
import static dev.jllm.tokenizer.Pretokenizer.OTHER;
import static dev.jllm.tokenizer.Pretokenizer.SPACE;
import static dev.jllm.tokenizer.Pretokenizer.classOf;

/**
 * The pre-tokenizer of Llama 3 and Qwen3 as a hand-written scanner. Their {@code Split} regular expression is
 *
 * <pre>{@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}</pre>
 *
 * (Qwen3: {@code \p{N}} instead of {@code \p{N}{1,3}}), with the Unicode meaning of {@link Pretokenizer}.
 * In words, the first alternative that matches at the piece's start: a contraction in any case; a run of
 * letters, optionally led by one character that is neither a line break, a letter nor a number; one to
 * {@code maxDigits} numbers; a run of "other" characters, optionally led by a space, with the line breaks after
 * it; whitespace up to its last line break; whitespace but its last character when a non-space follows;
 * whitespace. {@code Llama3SplitterTest} proves it equal to {@link java.util.regex} on random text.
 */
record Llama3Splitter(int maxDigits) implements PieceSplitter {
    static final String LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String QWEN3 = LLAMA3.replace("\\p{N}{1,3}", "\\p{N}");

    /** The scanner for one of the two expressions above, or null for any other. */
    static Llama3Splitter forPattern(String regex) {
        if (regex.equals(LLAMA3)) return new Llama3Splitter(3);
        if (regex.equals(QWEN3)) return new Llama3Splitter(1);
        return null;
    }

    @Override
    public int pieceEnd(String text, int start, int end) {
        char c = text.charAt(start);
        if (c == '\'' && start + 1 < end) {
            int n = contraction(text, start + 1, end);
            if (n > 0) return start + 1 + n;
        }
        int cp = codePointAt(text, start, end);
        int cls = classOf(cp);
        int next = start + Character.charCount(cp);
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if (cls == LETTER) return runEnd(text, next, end, LETTER);
        if (cls != NUMBER && c != '\r' && c != '\n' && next < end) {
            int cp2 = codePointAt(text, next, end);
            if (classOf(cp2) == LETTER) return runEnd(text, next + Character.charCount(cp2), end, LETTER);
        }
        // \p{N}{1,maxDigits}
        if (cls == NUMBER) {
            int p = next;
            for (int k = 1; k < maxDigits && p < end; k++) {
                int d = codePointAt(text, p, end);
                if (classOf(d) != NUMBER) break;
                p += Character.charCount(d);
            }
            return p;
        }
        // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
        int otherStart = cls == OTHER ? start
                : c == ' ' && next < end && classOf(codePointAt(text, next, end)) == OTHER ? next : -1;
        if (otherStart >= 0) {
            int q = runEnd(text, otherStart, end, OTHER);
            while (q < end && isLineBreak(text.charAt(q))) q++;
            return q;
        }
        // whitespace: \s*[\r\n]+, then \s+(?!\S), then \s+
        int q = runEnd(text, start, end, SPACE);
        for (int i = q - 1; i >= start; i--) {
            if (isLineBreak(text.charAt(i))) return i + 1;
        }
        if (q == end || q - start == 1) return q;
        return q - 1;
    }

    /** The code point at {@code i}, not reaching past {@code end}. */
    private static int codePointAt(String text, int i, int end) {
        char c = text.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(text.charAt(i + 1))) {
            return Character.toCodePoint(c, text.charAt(i + 1));
        }
        return c;
    }

    private static boolean isLineBreak(char c) {
        return c == '\r' || c == '\n';
    }

    /** Length of the contraction letters after an apostrophe at {@code p} ({@code s t m d re ve ll}, any case), or 0. */
    private static int contraction(String text, int p, int end) {
        char d = Character.toLowerCase(text.charAt(p));
        if (d == 's' || d == 'ſ' || d == 't' || d == 'm' || d == 'd') return 1;
        if (p + 1 < end) {
            char e = Character.toLowerCase(text.charAt(p + 1));
            if ((d == 'r' || d == 'v') && e == 'e' || d == 'l' && e == 'l') return 2;
        }
        return 0;
    }

    /** The end of the run of characters of class {@code cls} that goes on at {@code p}. */
    private static int runEnd(String text, int p, int end, int cls) {
        while (p < end) {
            char ch = text.charAt(p);
            int cp = ch < 128 ? ch : codePointAt(text, p, end);
            if (classOf(cp) != cls) break;
            p += Character.charCount(cp);
        }
        return p;
    }
}
