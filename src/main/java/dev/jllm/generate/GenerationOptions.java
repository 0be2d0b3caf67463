package dev.jllm.generate;

import java.util.List;

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
 * @param endId        token that ends generation (not included in the output), or -1 for none
 * @param stopStrings  texts that end generation when they appear in the output (used where text is decoded)
 */
public record GenerationOptions(int maxNewTokens, float temperature, int topK, float topP, long seed,
                                boolean kvCache, int endId, List<String> stopStrings) {

    public GenerationOptions {
        if (maxNewTokens < 0) throw new IllegalArgumentException("max tokens must be >= 0, got " + maxNewTokens);
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        stopStrings = List.copyOf(stopStrings);
    }

    /** Greedy decoding of up to {@code maxNewTokens} tokens with the KV cache, no end token, no stop strings. */
    public static GenerationOptions greedy(int maxNewTokens) {
        return new GenerationOptions(maxNewTokens, 0f, 0, 1f, 0L, true, -1, List.of());
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    public GenerationOptions withSampling(float temperature, int topK, float topP, long seed) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, seed, kvCache, endId, stopStrings);
    }

    public GenerationOptions withKvCache(boolean on) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, seed, on, endId, stopStrings);
    }

    public GenerationOptions withEndId(int id) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, seed, kvCache, id, stopStrings);
    }

    public GenerationOptions withStopStrings(List<String> stops) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, seed, kvCache, endId, stops);
    }
}
