package dev.jllm.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * Text to token ids and back: what the rest of jllm needs from a tokenizer.
 *
 * <p>Special tokens such as {@code <|endoftext|>} follow tiktoken: {@link #encode(String)} refuses text that
 * contains one (so that user text cannot inject control tokens by accident), {@link #encode(String, Set)}
 * turns the allowed ones into their ids, and {@link #encodeOrdinary} treats them as plain text.
 */
public interface Tokenizer {

    /** Encodes text that must not contain special tokens (an {@link IllegalArgumentException} if it does). */
    default int[] encode(String text) {
        return encode(text, Set.of());
    }

    /** Encodes text; the special tokens in {@code allowedSpecial} become their ids, any other one is an error. */
    int[] encode(String text, Set<String> allowedSpecial);

    /** Encodes text with special tokens treated as ordinary text. */
    int[] encodeOrdinary(String text);

    /**
     * Encodes text with every special token in it turned into its id: for text that jllm itself writes, such as
     * a rendered chat template ({@code tokenizers}' default, tiktoken's {@code allowed_special="all"}).
     */
    default int[] encodeWithSpecials(String text) {
        return encode(text, specialTokens().keySet());
    }

    /** The bytes of the tokens, concatenated; an id outside the vocabulary is an {@link IllegalArgumentException}. */
    byte[] decodeBytes(int[] ids);

    /** The text of the tokens: their bytes decoded as UTF-8, with U+FFFD where the bytes are not valid UTF-8. */
    default String decode(int[] ids) {
        return new String(decodeBytes(ids), StandardCharsets.UTF_8);
    }

    /** The text of the tokens, leaving out the special tokens when {@code skipSpecialTokens}. */
    default String decode(int[] ids, boolean skipSpecialTokens) {
        if (!skipSpecialTokens) return decode(ids);
        Set<Integer> special = Set.copyOf(specialTokens().values());
        return decode(java.util.Arrays.stream(ids).filter(id -> !special.contains(id)).toArray());
    }

    /** Number of token ids, special tokens included: ids are {@code 0 .. vocabSize() - 1}. */
    int vocabSize();

    /** Id of {@code <|endoftext|>}; an {@link IllegalStateException} if the vocabulary has none. */
    int eotId();

    /** The special tokens and their ids. */
    Map<String, Integer> specialTokens();

    /**
     * The tokenizer in {@code dir}: a Hugging Face {@code tokenizer.json} ({@link HfTokenizer}), else a GPT-2 style
     * vocabulary ({@link Gpt2Tokenizer#load}).
     */
    static Tokenizer load(java.nio.file.Path dir) {
        return HfTokenizer.isIn(dir) ? HfTokenizer.load(dir) : Gpt2Tokenizer.load(dir);
    }

    /**
     * Writes the tokenizer's files into the model folder {@code dir}, so that {@link #load} finds it there; a tokenizer
     * that has no files (one built from a GGUF file's vocabulary) writes nothing.
     */
    default void save(java.nio.file.Path dir) throws java.io.IOException {}

    /** A token as {@code vocab.json} writes it: GPT-2's byte-level string ({@code "Ġworld"}) or a special token. */
    String piece(int id);
}
