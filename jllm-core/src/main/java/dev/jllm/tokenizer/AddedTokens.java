package dev.jllm.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The added tokens of a {@code tokenizer.json} ({@code <|im_start|>}, {@code <think>}, Gemma's runs of
 * newlines...) found in text as the {@code tokenizers} library finds them: scanning left to right, the leftmost
 * match and, among those starting there, the longest (Aho-Corasick's leftmost-longest), matches not
 * overlapping. A token with {@code lstrip}/{@code rstrip} takes the whitespace before/after it, one with
 * {@code single_word} matches only between non-word characters. With specials as text, a special token's
 * match is passed over (it still hides any shorter token inside it), as {@code split_special_tokens} does.
 *
 * <p>Tokens with {@code normalized: true} are matched in the normalized text, the others in the raw text:
 * this class holds one of the two sets.
 */
final class AddedTokens {

    /** One added token, as {@code tokenizer.json} lists it. */
    record Token(int id, String content, boolean special, boolean lstrip, boolean rstrip, boolean singleWord,
                 boolean normalized) {}

    /** A piece of the text: an added token's id, or -1 for text between tokens. */
    record Segment(int id, int start, int end) {}

    /** A trie over the tokens' characters. */
    private static final class Node {
        final Map<Character, Node> children = new HashMap<>(4);
        Token token;
    }

    private final Node root = new Node();
    private final boolean[] firstChar = new boolean[Character.MAX_VALUE + 1];
    private final boolean empty;

    /** The trie of {@code tokens}, each matched as the string {@code pattern.get(i)} (its normalized content). */
    AddedTokens(List<Token> tokens, List<String> patterns) {
        for (int i = 0; i < tokens.size(); i++) {
            String p = patterns.get(i);
            if (p.isEmpty()) continue;
            Node node = root;
            for (int k = 0; k < p.length(); k++) node = node.children.computeIfAbsent(p.charAt(k), c -> new Node());
            if (node.token == null) node.token = tokens.get(i);
            firstChar[p.charAt(0)] = true;
        }
        empty = root.children.isEmpty();
    }

    boolean isEmpty() {
        return empty;
    }

    /** Splits {@code text} into added tokens and the text between them, in order, covering all of it. */
    List<Segment> split(String text, boolean specialsAsText) {
        List<Segment> out = new ArrayList<>();
        int n = text.length();
        if (empty) {
            if (n > 0) out.add(new Segment(-1, 0, n));
            return out;
        }
        int done = 0; // the text before this is in out
        int p = 0;
        while (p < n) {
            if (!firstChar[text.charAt(p)]) {
                p++;
                continue;
            }
            Token token = null;
            int matchEnd = -1;
            Node node = root;
            for (int k = p; k < n; k++) {
                node = node.children.get(text.charAt(k));
                if (node == null) break;
                if (node.token != null) {
                    token = node.token;
                    matchEnd = k + 1;
                }
            }
            if (token == null) {
                p++;
                continue;
            }
            if (specialsAsText && token.special() || token.singleWord() && !singleWord(text, p, matchEnd)) {
                p = matchEnd;
                continue;
            }
            int start = p;
            int end = matchEnd;
            if (token.lstrip()) {
                while (start > done && isWhitespace(text.codePointBefore(start))) {
                    start -= Character.charCount(text.codePointBefore(start));
                }
            }
            if (token.rstrip()) {
                while (end < n && isWhitespace(text.codePointAt(end))) end += Character.charCount(text.codePointAt(end));
            }
            if (done < start) out.add(new Segment(-1, done, start));
            out.add(new Segment(token.id(), start, end));
            done = end;
            p = end;
        }
        if (done < n) out.add(new Segment(-1, done, n));
        return out;
    }

    /** Rust's {@code char::is_whitespace}: the White_Space property. */
    private static boolean isWhitespace(int cp) {
        return Pretokenizer.classOf(cp) == Pretokenizer.SPACE;
    }

    /** No word character ({@code \w}: letter, number, mark, connector) touches the match on either side. */
    private static boolean singleWord(String text, int start, int end) {
        return (start == 0 || !isWord(text.codePointBefore(start))) && (end == text.length() || !isWord(text.codePointAt(end)));
    }

    private static boolean isWord(int cp) {
        return Character.isLetterOrDigit(cp) || Character.getType(cp) == Character.CONNECTOR_PUNCTUATION
                || Character.getType(cp) == Character.NON_SPACING_MARK || Character.getType(cp) == Character.COMBINING_SPACING_MARK
                || Character.getType(cp) == Character.ENCLOSING_MARK || Character.getType(cp) == Character.LETTER_NUMBER
                || Character.getType(cp) == Character.OTHER_NUMBER;
    }
}
