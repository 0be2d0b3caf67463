package dev.jllm.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A {@code Split} pre-tokenizer with the behaviour {@code Isolated}: every match of the expression is a piece,
 * and so is the text between two matches. The expression is read by {@link java.util.regex} with Unicode
 * classes ({@code \s}, {@code \w} and case folding as in Oniguruma, which {@code tokenizers} uses).
 * Not thread-safe (one matcher); {@link HfTokenizer} keeps one per thread.
 */
final class RegexSplitter implements PieceSplitter {
    private final Matcher matcher;
    private String lastText;

    RegexSplitter(String regex) {
        try {
            this.matcher = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS).matcher("");
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("the Split pattern " + regex + " is not a regular expression Java reads: "
                    + e.getDescription());
        }
    }

    @Override
    public int pieceEnd(String text, int start, int end) {
        if (text != lastText) {
            matcher.reset(text);
            lastText = text;
        }
        matcher.region(start, end);
        while (matcher.find()) {
            if (matcher.end() == matcher.start()) { // an empty match splits nothing
                if (matcher.end() >= end) break;
                matcher.region(matcher.end() + 1, end);
                continue;
            }
            return matcher.start() == start ? matcher.end() : matcher.start();
        }
        return end;
    }
}
