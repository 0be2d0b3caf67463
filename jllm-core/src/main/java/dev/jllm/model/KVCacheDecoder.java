package dev.jllm.model;





/**
 * A model's forward pass for decoding, one sequence at a time, with a key/value cache and no autograd: made by
 * {@link CausalLM#decoder}. The cache holds positions 0 … {@link #length()}−1; {@link #append} runs new tokens at
 * the next positions and returns the logits that follow the last of them. A decoder belongs to one thread; many
 * decoders may read one model at once.
 */
public interface KVCacheDecoder {

    /** Positions held in the cache. */
    int length();

    /** The most positions the cache holds (at most the model's context length). */
    int capacity();

    /**
     * Runs {@code ids} at positions length … length+n−1, adds their keys and values to the cache, and returns the
     * logits [vocab] that follow the last of them. Several ids at once are a prefill (a batch of matrix products),
     * one id is a decode step (matrix-vector products).
     */
    float[] append(int... ids);

    /** {@link #reset()}, then {@link #append} of the whole prompt. */
    default float[] prefill(int... ids) {
        reset();
        return append(ids);
    }

    /** Forgets the positions from {@code length} on (0 ≤ length ≤ {@link #length()}); the arrays are kept. */
    void crop(int length);

    /** Forgets every cached position (the arrays are kept for reuse). */
    default void reset() {
        crop(0);
    }
}
