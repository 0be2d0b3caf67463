package dev.jllm.generate;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How to pick the next tokens.
 *
 * @param maxNewTokens the most tokens to generate
 * @param temperature  0 for greedy decoding (always the most likely token); otherwise logits are divided by it
 *                     before sampling (below 1 sharper, above 1 flatter)
 * @param topK         sample only among the k most likely tokens (0: no limit)
 * @param topP         sample only from the smallest set of most likely tokens whose probability reaches p (1: off)
 * @param seed         seed of the sampling generator: the same seed gives the same tokens
 * @param kvCache      decode with a key/value cache (same tokens as without, much faster)
 * @param endIds       tokens that end generation (not included in the output), the main one first; empty for none
 *                     (Llama 3 Instruct ends at any of three, Qwen3 at two)
 * @param stopStrings  texts that end generation when they appear in the output (used where text is decoded)
 */
public record GenerationOptions(int maxNewTokens, float temperature, int topK, float topP, long seed,
                                boolean kvCache, Set<Integer> endIds, List<String> stopStrings) {

    /** Options with one end token {@code endId} (-1: none). */
    public GenerationOptions(int maxNewTokens, float temperature, int topK, float topP, long seed, boolean kvCache,
                             int endId, List<String> stopStrings) {
        this(maxNewTokens, temperature, topK, topP, seed, kvCache, endId < 0 ? Set.of() : Set.of(endId), stopStrings);
    }

    public GenerationOptions {
        if (maxNewTokens < 0) throw new IllegalArgumentException("max tokens must be >= 0, got " + maxNewTokens);
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        stopStrings = List.copyOf(stopStrings);
        endIds = ordered(endIds);
    }

    private static Set<Integer> ordered(Collection<Integer> ids) {
        Set<Integer> out = new LinkedHashSet<>();
        for (Integer id : ids) if (id >= 0) out.add(id);
        return Collections.unmodifiableSet(out);
    }

    /** The main end token (the first of {@link #endIds}), or -1 for none. */
    public int endId() {
        return endIds.isEmpty() ? -1 : endIds.iterator().next();
    }

    /** Whether {@code id} ends generation. */
    public boolean isEnd(int id) {
        return endIds.contains(id);
    }

    /** Greedy decoding of up to {@code maxNewTokens} tokens with the KV cache, no end token, no stop strings. */
    public static GenerationOptions greedy(int maxNewTokens) {
        return new GenerationOptions(maxNewTokens, 0f, 0, 1f, 0L, true, Set.of(), List.of());
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    public GenerationOptions withSampling(float temperature, int topK, float topP, long seed) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, seed, kvCache, endIds, stopStrings);
    }

    public GenerationOptions withKvCache(boolean on) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, seed, on, endIds, stopStrings);
    }

    /** With the one end token {@code id} (-1: none). */
    public GenerationOptions withEndId(int id) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, seed, kvCache, id, stopStrings);
    }

    /** With the end tokens {@code ids}, the main one first. */
    public GenerationOptions withEndIds(Collection<Integer> ids) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, seed, kvCache, ordered(ids), stopStrings);
    }

    public GenerationOptions withStopStrings(List<String> stops) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, seed, kvCache, endIds, stops);
    }
}
