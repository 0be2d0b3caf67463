package dev.jllm.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The sizes and settings of a Llama-style decoder-only transformer (Llama 3.2, Qwen3, Gemma 3), as a Hugging Face
 * {@code config.json} holds them (see {@code io.DecoderConfigJson}).
 *
 * @param family             the architecture: which norms, activation and attention details apply
 * @param vocabSize          number of token ids (may exceed the tokenizer's: Qwen3 pads to 151,936)
 * @param hiddenSize         width of the residual stream
 * @param intermediateSize   width of the gated feed-forward layer
 * @param nLayers            decoder blocks
 * @param nHeads             query heads
 * @param nKvHeads           key/value heads (grouped-query attention; divides nHeads)
 * @param headDim            size of one head, explicit (need not be hiddenSize / nHeads)
 * @param maxPositions       longest sequence (max_position_embeddings)
 * @param rmsEps             epsilon of every RMSNorm
 * @param rope               rotary embedding of the global layers (all layers outside Gemma)
 * @param localRope          rotary embedding of Gemma's sliding-window layers (equal to rope elsewhere)
 * @param queryPreAttnScalar attention scores are scaled by its -½ power (headDim outside Gemma)
 * @param slidingWindow      window of the sliding layers (0: none)
 * @param slidingLayers      per layer, whether it is a sliding-window (local) layer
 * @param tiedHead           whether the output head is the token embedding
 * @param attentionBias      whether the q, k, v and o projections have biases
 * @param finalLogitSoftcap  logits are soft-capped to ± this (0: not)
 * @param bosId              beginning-of-sequence id, or -1
 * @param eosIds             ids that end generation (may be empty)
 * @param padId              padding id, whose embedding row gets no gradient (as in transformers), or -1
 */
public record DecoderConfig(Family family, int vocabSize, int hiddenSize, int intermediateSize, int nLayers,
                            int nHeads, int nKvHeads, int headDim, int maxPositions, float rmsEps, Rope rope,
                            Rope localRope, float queryPreAttnScalar, int slidingWindow, List<Boolean> slidingLayers,
                            boolean tiedHead, boolean attentionBias, float finalLogitSoftcap, int bosId,
                            List<Integer> eosIds, int padId) implements ModelConfig {

    /** The architectures, by their Hugging Face {@code model_type}. */
    public enum Family {
        LLAMA("llama"), QWEN3("qwen3"), GEMMA3("gemma3_text");

        /** The {@code model_type} of config.json. */
        public final String modelType;

        Family(String modelType) {
            this.modelType = modelType;
        }

        public static Family of(String modelType) {
            for (Family f : values()) if (f.modelType.equals(modelType)) return f;
            throw new IllegalArgumentException("unknown model_type '" + modelType + "' (jllm knows gpt2, llama, qwen3"
                    + " and gemma3_text)");
        }
    }

    /**
     * A rotary embedding's frequencies: base θ, and the scaling of Llama 3 ({@code type} "llama3": factor,
     * low/high frequency factors, original context) or the plain linear one ({@code type} "linear": factor);
     * {@code type} "default" has none.
     */
    public record Rope(double theta, String type, double factor, double lowFreqFactor, double highFreqFactor,
                       int originalMaxPositions) {
        public Rope {
            if (!(theta > 0)) throw new IllegalArgumentException("rope_theta must be positive, got " + theta);
            if (!List.of("default", "linear", "llama3").contains(type)) {
                throw new IllegalArgumentException("rope type '" + type + "' is not supported (jllm knows default,"
                        + " linear and llama3)");
            }
            if (!type.equals("default") && !(factor > 0)) {
                throw new IllegalArgumentException("rope scaling factor must be positive, got " + factor);
            }
            if (type.equals("llama3") && (originalMaxPositions <= 0 || !(highFreqFactor > lowFreqFactor))) {
                throw new IllegalArgumentException("llama3 rope scaling needs original_max_position_embeddings > 0 and"
                        + " high_freq_factor > low_freq_factor");
            }
        }

        public static Rope plain(double theta) {
            return new Rope(theta, "default", 1, 0, 0, 0);
        }
    }

    public DecoderConfig {
        if (vocabSize <= 0 || hiddenSize <= 0 || intermediateSize <= 0 || nLayers <= 0 || nHeads <= 0 || nKvHeads <= 0
                || headDim <= 0 || maxPositions <= 0) {
            throw new IllegalArgumentException("model sizes must be positive: vocab " + vocabSize + ", hidden "
                    + hiddenSize + ", intermediate " + intermediateSize + ", layers " + nLayers + ", heads " + nHeads
                    + ", kv heads " + nKvHeads + ", head_dim " + headDim + ", positions " + maxPositions);
        }
        if (nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException(nHeads + " attention heads do not split into groups for " + nKvHeads
                    + " key/value heads");
        }
        if (headDim % 2 != 0) throw new IllegalArgumentException("head_dim " + headDim + " is odd; rotary embedding needs pairs");
        if (!(rmsEps > 0)) throw new IllegalArgumentException("rms_norm_eps must be positive, got " + rmsEps);
        if (!(queryPreAttnScalar > 0)) throw new IllegalArgumentException("query_pre_attn_scalar must be positive");
        if (slidingWindow < 0 || finalLogitSoftcap < 0) {
            throw new IllegalArgumentException("sliding_window and final_logit_softcapping must not be negative");
        }
        slidingLayers = List.copyOf(slidingLayers);
        if (slidingLayers.size() != nLayers) {
            throw new IllegalArgumentException(slidingLayers.size() + " layer types for " + nLayers + " layers");
        }
        if (slidingWindow == 0 && slidingLayers.contains(true)) {
            throw new IllegalArgumentException("sliding-window layers without a sliding_window");
        }
        eosIds = List.copyOf(eosIds);
    }

    /** Names of the presets, smallest first. */
    public static final List<String> PRESETS = List.of("gemma3-270m", "qwen3-0.6b", "llama3.2-1b");

    /** A published model's config by name: {@code llama3.2-1b}, {@code qwen3-0.6b} or {@code gemma3-270m}. */
    public static DecoderConfig preset(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "llama3.2-1b" -> new DecoderConfig(Family.LLAMA, 128256, 2048, 8192, 16, 32, 8, 64, 131072, 1e-5f,
                    new Rope(500000, "llama3", 32, 1, 4, 8192), null, 64, 0, none(16), true, false, 0, 128000,
                    List.of(128001), -1);
            case "qwen3-0.6b" -> new DecoderConfig(Family.QWEN3, 151936, 1024, 3072, 28, 16, 8, 128, 40960, 1e-6f,
                    Rope.plain(1_000_000), null, 128, 0, none(28), true, false, 0, 151643, List.of(151645), -1);
            case "gemma3-270m" -> new DecoderConfig(Family.GEMMA3, 262144, 640, 2048, 18, 4, 1, 256, 32768, 1e-6f,
                    Rope.plain(1_000_000), Rope.plain(10_000), 256, 512, pattern(18, 6), true, false, 0, 2,
                    List.of(1, 106), 0);
            default -> throw new IllegalArgumentException("unknown model config '" + name + "' (choose one of "
                    + String.join(", ", PRESETS) + ")");
        };
    }

    /** Whether {@code name} is one of {@link #PRESETS}. */
    public static boolean isPreset(String name) {
        return PRESETS.contains(name.toLowerCase(Locale.ROOT));
    }

    /** No sliding layers. */
    public static List<Boolean> none(int layers) {
        return Collections.nCopies(layers, false);
    }

    /** Gemma's interleaving: every {@code pattern}-th layer global, the others sliding. */
    public static List<Boolean> pattern(int layers, int pattern) {
        List<Boolean> out = new ArrayList<>();
        for (int i = 0; i < layers; i++) out.add((i + 1) % pattern != 0);
        return out;
    }

    @Override
    public String architecture() {
        return family.modelType;
    }

    @Override
    public int contextLength() {
        return maxPositions;
    }

    @Override
    public int embDim() {
        return hiddenSize;
    }

    /** These families train without dropout. */
    @Override
    public float dropRate() {
        return 0f;
    }

    public DecoderConfig withTiedHead(boolean on) {
        return new DecoderConfig(family, vocabSize, hiddenSize, intermediateSize, nLayers, nHeads, nKvHeads, headDim,
                maxPositions, rmsEps, rope, localRope, queryPreAttnScalar, slidingWindow, slidingLayers, on,
                attentionBias, finalLogitSoftcap, bosId, eosIds, padId);
    }

    /** The rotary embedding of Gemma's local layers, the global one elsewhere. */
    @Override
    public Rope localRope() {
        return localRope != null ? localRope : rope;
    }

    /** Whether the queries and keys are RMS-normalised per head (Qwen3, Gemma 3). */
    public boolean qkNorm() {
        return family != Family.LLAMA;
    }

    /** What RMSNorm adds to its weight: 1 for Gemma's (1 + w), else 0. */
    public float normOffset() {
        return family == Family.GEMMA3 ? 1f : 0f;
    }

    /** Whether each sub-layer's output is normalised too before the residual add (Gemma 3's four norms). */
    public boolean sandwichNorms() {
        return family == Family.GEMMA3;
    }

    /** Factor on the token embedding: √hidden in Gemma, else 1. */
    public float embedScale() {
        return family == Family.GEMMA3 ? (float) Math.sqrt(hiddenSize) : 1f;
    }

    /** Whether the feed-forward gate uses the tanh GELU (GeGLU, Gemma) rather than SiLU (SwiGLU). */
    public boolean geluGate() {
        return family == Family.GEMMA3;
    }

    /** The factor on q·k: query_pre_attn_scalar^-½. */
    public float attentionScale() {
        return (float) (1.0 / Math.sqrt(queryPreAttnScalar));
    }

    /** Whether layer {@code i} is a sliding-window layer. */
    public boolean sliding(int layer) {
        return slidingLayers.get(layer);
    }

    @Override
    public double forwardFlopsPerToken(int seqLen) {
        return DecoderStats.forwardFlopsPerToken(this, seqLen);
    }

    @Override
    public ModelStats.Memory trainingMemory(int batch, int seqLen) {
        return DecoderStats.memory(this, batch, seqLen);
    }

    @Override
    public long kvCacheBytes(int positions) {
        return DecoderStats.kvCacheBytes(this, positions);
    }

    /** Parameters of a model with this config (embedding counted once when tied). */
    @Override
    public long parameterCount() {
        long attn = (long) hiddenSize * headDim * (2L * nHeads + 2L * nKvHeads);
        if (attentionBias) attn += (long) headDim * (nHeads + 2L * nKvHeads) + hiddenSize;
        if (qkNorm()) attn += 2L * headDim;
        long mlp = 3L * hiddenSize * intermediateSize;
        long norms = (sandwichNorms() ? 4L : 2L) * hiddenSize;
        long emb = (long) vocabSize * hiddenSize;
        return emb * (tiedHead ? 1 : 2) + nLayers * (attn + mlp + norms) + hiddenSize;
    }

    public DecoderConfig withMaxPositions(int n) {
        return new DecoderConfig(family, vocabSize, hiddenSize, intermediateSize, nLayers, nHeads, nKvHeads, headDim, n,
                rmsEps, rope, localRope, queryPreAttnScalar, slidingWindow, slidingLayers, tiedHead, attentionBias,
                finalLogitSoftcap, bosId, eosIds, padId);
    }

    public DecoderConfig withVocabSize(int n) {
        return new DecoderConfig(family, n, hiddenSize, intermediateSize, nLayers, nHeads, nKvHeads, headDim,
                maxPositions, rmsEps, rope, localRope, queryPreAttnScalar, slidingWindow, slidingLayers, tiedHead,
                attentionBias, finalLogitSoftcap, bosId, eosIds, padId);
    }

    /** The same architecture with other sizes (custom configs for {@code jllm init}); layer types re-derived. */
    public DecoderConfig withSizes(int hidden, int intermediate, int layers, int heads, int kvHeads, int headDim) {
        List<Boolean> types = family == Family.GEMMA3 ? pattern(layers, 6) : none(layers);
        return new DecoderConfig(family, vocabSize, hidden, intermediate, layers, heads, kvHeads, headDim, maxPositions,
                rmsEps, rope, localRope, headDim, slidingWindow, types, tiedHead, attentionBias, finalLogitSoftcap,
                bosId, eosIds, padId);
    }
}
