package dev.jllm.tokenizer;

/**
 * A pre-tokenizer that cuts text into consecutive pieces, one at a time: given where a piece starts, it says
 * where it ends. GPT-2's {@link Pretokenizer}, Llama 3's and Qwen3's {@link Llama3Splitter}, a regular
 * expression ({@link RegexSplitter}) or a literal delimiter ({@link LiteralSplitter}).
 */
@FunctionalInterface
interface PieceSplitter {

    /** The end (exclusive) of the piece that starts at {@code start} in {@code text[start, end)}; {@code > start}. */
    int pieceEnd(String text, int start, int end);
}
