package dev.jllm.model;

/**
 * Sizes, compute and memory of a Llama / Qwen3 / Gemma 3 configuration, worked out from the config (no model
 * needed), counted as {@link ModelStats} counts GPT-2's: 2 FLOPs per multiply-add, training 3× the forward pass.
 */
public final class DecoderStats {
    private DecoderStats() {}

    /** Weights in matrix products: every block matrix and the output head (the embedding lookup is free). */
    public static long matmulParameterCount(DecoderConfig c) {
        long h = c.hiddenSize(), q = (long) c.nHeads() * c.headDim(), kv = (long) c.nKvHeads() * c.headDim();
        return c.nLayers() * (h * (2 * q + 2 * kv) + 3 * h * c.intermediateSize()) + (long) c.vocabSize() * h;
    }

    /**
     * Forward FLOPs per token at sequence length {@code seqLen}: 2 per matrix weight, plus the scores and the
     * weighted sum of each query head over the keys it sees (the window, in a sliding layer).
     */
    public static double forwardFlopsPerToken(DecoderConfig c, int seqLen) {
        double attention = 0;
        for (int l = 0; l < c.nLayers(); l++) {
            int keys = c.sliding(l) ? Math.min(seqLen, c.slidingWindow()) : seqLen;
            attention += 4.0 * c.nHeads() * c.headDim() * keys;
        }
        return 2.0 * matmulParameterCount(c) + attention;
    }

    public static double trainingFlopsPerToken(DecoderConfig c, int seqLen) {
        return 3 * forwardFlopsPerToken(c, seqLen);
    }

    /** Bytes of the key/value cache at {@code positions} (float32; sliding layers keep only their window). */
    public static long kvCacheBytes(DecoderConfig c, int positions) {
        long n = 0;
        for (int l = 0; l < c.nLayers(); l++) {
            n += 2L * c.nKvHeads() * c.headDim() * (c.sliding(l) ? Math.min(positions, c.slidingWindow()) : positions);
        }
        return 4 * n;
    }

    /**
     * Estimated fp32 training memory at {@code batch} × {@code seqLen}: weights, gradients, AdamW's two moments, and
     * the activations the tape keeps per token and layer (the norms' inputs and outputs and residuals, about
     * 6·hidden; q, k, v before and after their norms and rotation, 2·(q + 2·kv); the attention output, q; the
     * gate, up, their activation and product, 4·intermediate) plus the logits and their softmax (2·vocab).
     */
    public static ModelStats.Memory memory(DecoderConfig c, int batch, int seqLen) {
        long p = 4 * c.parameterCount();
        long q = (long) c.nHeads() * c.headDim(), kv = (long) c.nKvHeads() * c.headDim();
        long perTokenLayer = 6L * c.hiddenSize() + 3 * (q + 2 * kv) + 4L * c.intermediateSize();
        long activations = 4L * batch * seqLen * (c.nLayers() * perTokenLayer + 2L * c.vocabSize());
        return new ModelStats.Memory(p, p, 2 * p, activations);
    }
}
