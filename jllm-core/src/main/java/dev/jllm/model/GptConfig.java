package dev.jllm.model;

import java.util.List;
import java.util.Locale;

/**
 * The sizes of a GPT model, as the book's {@code GPT_CONFIG_124M} dictionary holds them.
 *
 * @param vocabSize     number of token ids (50,257 for GPT-2)
 * @param contextLength longest sequence the position embedding covers
 * @param embDim        width of the residual stream
 * @param nHeads        attention heads per block (embDim must divide evenly)
 * @param nLayers       transformer blocks
 * @param dropRate      dropout probability used in training mode
 * @param qkvBias       whether the query/key/value projections have a bias (true for OpenAI's weights)
 * @param tiedHead      whether the output head shares the token embedding's weights (true for GPT-2)
 */
public record GptConfig(int vocabSize, int contextLength, int embDim, int nHeads, int nLayers,
                        float dropRate, boolean qkvBias, boolean tiedHead) implements ModelConfig {

    /** {@code model_type} of GPT-2's config.json. */
    public static final String ARCHITECTURE = "gpt2";

    public GptConfig {
        if (vocabSize <= 0 || contextLength <= 0 || embDim <= 0 || nHeads <= 0 || nLayers <= 0) {
            throw new IllegalArgumentException("model sizes must be positive: vocabulary " + vocabSize + ", context "
                    + contextLength + ", emb " + embDim + ", heads " + nHeads + ", layers " + nLayers);
        }
        // Each weight is one Java array: check before anything is allocated, not as an overflow deep inside.
        checkArray("token embedding (vocabulary x emb)", vocabSize, embDim);
        checkArray("position embedding (context x emb)", contextLength, embDim);
        checkArray("feed-forward weight (emb x 4 emb)", embDim, 4L * embDim);
        if (embDim % nHeads != 0) {
            throw new IllegalArgumentException("embDim " + embDim + " is not divisible by nHeads " + nHeads);
        }
        if (dropRate < 0 || dropRate >= 1) throw new IllegalArgumentException("dropRate must be in [0, 1): " + dropRate);
    }

    @Override
    public long parameterCount() {
        return ModelStats.parameterCount(this);
    }

    @Override
    public double forwardFlopsPerToken(int seqLen) {
        return ModelStats.forwardFlopsPerToken(this, seqLen);
    }

    @Override
    public ModelStats.Memory trainingMemory(int batch, int seqLen) {
        return ModelStats.memory(this, batch, seqLen);
    }

    @Override
    public long kvCacheBytes(int positions) {
        return ModelStats.kvCacheBytes(this, positions);
    }

    private static void checkArray(String what, long rows, long cols) {
        if (rows * cols > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "the %s would hold %,d x %,d = %,d values, more"
                    + " than one Java array can (%,d); choose smaller sizes", what, rows, cols, rows * cols,
                    Integer.MAX_VALUE));
        }
    }

    public static final int GPT2_VOCAB = 50257;
    public static final int GPT2_CONTEXT = 1024;

    /** Names of the GPT-2 presets, smallest first. */
    public static final List<String> PRESETS = List.of("gpt2-small", "gpt2-medium", "gpt2-large", "gpt2-xl");

    /**
     * A GPT-2 preset by name ({@code gpt2-small|gpt2-medium|gpt2-large|gpt2-xl}, or the sizes {@code 124M|355M|774M|1558M}),
     * with OpenAI's settings: qkv bias on, head tied to the token embedding, dropout 0.1.
     */
    public static GptConfig preset(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "gpt2-small", "gpt2", "124m" -> gpt2(768, 12, 12);
            case "gpt2-medium", "355m" -> gpt2(1024, 16, 24);
            case "gpt2-large", "774m" -> gpt2(1280, 20, 36);
            case "gpt2-xl", "1558m" -> gpt2(1600, 25, 48);
            default -> throw new IllegalArgumentException(
                    "unknown model config '" + name + "' (choose one of " + String.join(", ", PRESETS) + ")");
        };
    }

    private static GptConfig gpt2(int emb, int heads, int layers) {
        return new GptConfig(GPT2_VOCAB, GPT2_CONTEXT, emb, heads, layers, 0.1f, true, true);
    }

    @Override
    public String architecture() {
        return ARCHITECTURE;
    }

    public GptConfig withContextLength(int n) {
        return new GptConfig(vocabSize, n, embDim, nHeads, nLayers, dropRate, qkvBias, tiedHead);
    }

    public GptConfig withVocabSize(int n) {
        return new GptConfig(n, contextLength, embDim, nHeads, nLayers, dropRate, qkvBias, tiedHead);
    }

    public GptConfig withDropRate(float p) {
        return new GptConfig(vocabSize, contextLength, embDim, nHeads, nLayers, p, qkvBias, tiedHead);
    }

    public GptConfig withQkvBias(boolean on) {
        return new GptConfig(vocabSize, contextLength, embDim, nHeads, nLayers, dropRate, on, tiedHead);
    }

    public GptConfig withTiedHead(boolean on) {
        return new GptConfig(vocabSize, contextLength, embDim, nHeads, nLayers, dropRate, qkvBias, on);
    }
}
