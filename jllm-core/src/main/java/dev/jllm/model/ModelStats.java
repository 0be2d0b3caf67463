package dev.jllm.model;

/**
 * Sizes, compute and memory of a GPT-2 configuration, worked out from the architecture (no model needed); any
 * architecture's config answers the same questions ({@link ModelConfig#parameterCount()} and the methods after it).
 *
 * <p>FLOPs count multiply-adds as 2. The forward pass per token costs 2·N for the N weights used in matrix
 * products (every block weight and the output head; embedding lookups are free) plus 4·layers·emb·T for the
 * attention scores and the weighted sum over T positions (counted in full, as nanoGPT and PaLM do); a training
 * step costs 3× the forward pass (backward is twice the forward).
 */
public final class ModelStats {
    private ModelStats() {}

    /** Number of parameters, with the head counted once when tied. */
    public static long parameterCount(GptConfig c) {
        long v = c.vocabSize(), t = c.contextLength(), e = c.embDim();
        long perLayer = 2 * 2 * e                       // two LayerNorms, scale + shift
                + 3 * e * e + (c.qkvBias() ? 3 * e : 0) // fused query/key/value projection
                + e * e + e                             // attention output projection
                + 4 * e * e + 4 * e                     // feed-forward up
                + 4 * e * e + e;                        // feed-forward down
        return v * e + t * e + c.nLayers() * perLayer + 2 * e + (c.tiedHead() ? 0 : v * e);
    }

    /** Weights that take part in matrix products: all block weights and the output head. */
    public static long matmulParameterCount(GptConfig c) {
        long v = c.vocabSize(), e = c.embDim();
        return c.nLayers() * 12 * e * e + v * e;
    }

    /** Forward-pass FLOPs per token at sequence length {@code seqLen}. */
    public static double forwardFlopsPerToken(GptConfig c, int seqLen) {
        return 2.0 * matmulParameterCount(c) + 4.0 * c.nLayers() * c.embDim() * seqLen;
    }

    /** Training (forward + backward) FLOPs per token at sequence length {@code seqLen}. */
    public static double trainingFlopsPerToken(GptConfig c, int seqLen) {
        return 3 * forwardFlopsPerToken(c, seqLen);
    }

    /**
     * Memory of training in fp32, in bytes.
     *
     * @param parameters  the weights
     * @param gradients   one gradient per weight
     * @param optimizer   AdamW's two moments per weight
     * @param activations values kept for backward at the given batch and context (an estimate, see {@link #memory})
     */
    public record Memory(long parameters, long gradients, long optimizer, long activations) {
        public long total() {
            return parameters + gradients + optimizer + activations;
        }
    }

    /**
     * Estimated training memory at {@code batch} sequences of {@code seqLen} tokens.
     *
     * <p>Activations are the outputs the autograd tape keeps for backward. Per token and layer: the first
     * LayerNorm's output, q/k/v fused and split (6·emb), the attention output (the fused attention keeps one
     * log-sum-exp per head, no T×T matrix), its projection, dropout and residual sum, the second LayerNorm, the
     * feed-forward hidden layer before and after GELU (2·4·emb), its output, dropout and residual sum:
     * 23·emb + heads floats. On top: the two embeddings, their sum, its dropout and the final norm (5·emb per
     * token) and the logits with their softmax for the loss (2·vocab).
     */
    public static Memory memory(GptConfig c, int batch, int seqLen) {
        long params = parameterCount(c) * Float.BYTES;
        long tokens = (long) batch * seqLen;
        long perLayer = 23L * c.embDim() + c.nHeads();
        long perToken = c.nLayers() * perLayer + 5L * c.embDim() + 2L * c.vocabSize();
        return new Memory(params, params, 2 * params, tokens * perToken * Float.BYTES);
    }

    /** Bytes of a KV cache for one sequence of the full context: keys and values of every layer. */
    public static long kvCacheBytes(GptConfig c) {
        return kvCacheBytes(c, c.contextLength());
    }

    /** Bytes of a KV cache for one sequence of {@code positions} positions: keys and values of every layer. */
    public static long kvCacheBytes(GptConfig c, int positions) {
        return 2L * c.nLayers() * positions * c.embDim() * Float.BYTES;
    }
}
