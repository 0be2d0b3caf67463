package dev.jllm.tokenizer;

/**
 * A {@code Split} pre-tokenizer on a literal delimiter, with the behaviour {@code Isolated} (the delimiter is a
 * piece of its own), {@code MergedWithPrevious} (it ends the piece before it) or {@code MergedWithNext} (it
 * starts the piece after it). {@code Removed} is not supported: it would drop text, which a piece splitter
 * cannot express.
 */
record LiteralSplitter(String delimiter, Behavior behavior) implements PieceSplitter {

    enum Behavior { ISOLATED, MERGED_WITH_PREVIOUS, MERGED_WITH_NEXT }

    LiteralSplitter {
        if (delimiter.isEmpty()) throw new IllegalArgumentException("a Split pre-tokenizer with an empty pattern");
    }

    @Override
    public int pieceEnd(String text, int start, int end) {
        int n = delimiter.length();
        boolean atDelimiter = text.startsWith(delimiter, start) && start + n <= end;
        return switch (behavior) {
            case ISOLATED -> atDelimiter ? start + n : find(text, start, end, end);
            case MERGED_WITH_PREVIOUS -> atDelimiter ? start + n : find(text, start, end, end - n) + n;
            case MERGED_WITH_NEXT -> find(text, atDelimiter ? start + n : start, end, end);
        };
    }

    /** The next delimiter at or after {@code from} inside {@code [from, end)}, or {@code ifNone}. */
    private int find(String text, int from, int end, int ifNone) {
        int i = text.indexOf(delimiter, from);
        return i < 0 || i + delimiter.length() > end ? ifNone : i;
    }
}
