package dev.jllm.data;

/** Text to token ids: the one thing the data pipeline needs from a tokenizer. Must be safe to call from many threads. */
@FunctionalInterface
public interface TextEncoder {
    int[] encode(String text);
}
