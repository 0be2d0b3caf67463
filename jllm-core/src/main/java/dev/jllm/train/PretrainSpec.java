package dev.jllm.train;

import dev.jllm.Setting;
import dev.jllm.SettingException;
import dev.jllm.model.InitScheme;

/**
 * Everything a pretraining run is made from, saved under "training" in the run's config.json so that
 * {@code --resume} rebuilds the same run.
 *
 * @param data       a text file or a token file; null for the built-in story corpus
 * @param tokenizer  "bpe" (train a byte-level BPE vocabulary on the training text), "gpt2", "model" (the
 *                   {@code init} model's folder's vocabulary, else GPT-2's), or a folder with vocab.json + merges.txt
 * @param vocabSize  size of the trained BPE vocabulary
 * @param init       a model to continue pretraining from (its sizes win over the ones below); null for random weights
 * @param weightsInit how random weights are drawn (written "gpt2" or "pytorch"); null with {@code init}
 * @param embDim     model width (ignored with {@code init})
 * @param nLayers    transformer blocks
 * @param nHeads     attention heads
 * @param dropRate   dropout in training
 * @param train      the training settings
 */
public record PretrainSpec(String data, String tokenizer, int vocabSize, String init, InitScheme weightsInit, int embDim,
                           int nLayers, int nHeads, float dropRate, TrainConfig train) {

    public static final String BPE = "bpe";
    public static final String GPT2 = "gpt2";
    public static final String MODEL = "model";

    /** Where the run's tokenizer comes from: what {@link #tokenizer()} says (written as its value in config.json). */
    public enum TokenizerSource {
        /** "bpe": a byte-level BPE vocabulary trained on the training text */
        BPE,
        /** "gpt2": GPT-2's built-in vocabulary */
        GPT2,
        /** "model": the vocabulary in the {@code init} model's folder, else GPT-2's */
        MODEL,
        /** any other value: a folder with vocab.json + merges.txt */
        FOLDER
    }

    public PretrainSpec {
        if (tokenizer == null || tokenizer.isBlank()) throw new IllegalArgumentException("no tokenizer given");
        if (source(tokenizer) == TokenizerSource.BPE && vocabSize < 257) {
            throw new IllegalArgumentException("a BPE vocabulary needs more than the 256 byte tokens, got " + vocabSize);
        }
        if (source(tokenizer) == TokenizerSource.MODEL && init == null) {
            throw new SettingException("the tokenizer \"model\" needs a model to start from (", Setting.INITIAL_MODEL, ")");
        }
        if (init != null && weightsInit != null) {
            throw new SettingException("a run from a model (", Setting.INITIAL_MODEL, ") draws no random weights, so it takes no"
                    + " weight initialisation");
        }
        // Runs recorded before the option existed drew GPT-2's initialisation.
        if (init == null && weightsInit == null) weightsInit = InitScheme.GPT2;
        if (init == null && (embDim < 1 || nLayers < 1 || nHeads < 1)) {
            throw new IllegalArgumentException("model sizes must be >= 1: emb " + embDim + ", layers " + nLayers
                    + ", heads " + nHeads);
        }
    }

    public TokenizerSource tokenizerSource() {
        return source(tokenizer);
    }

    private static TokenizerSource source(String tokenizer) {
        return switch (tokenizer) {
            case BPE -> TokenizerSource.BPE;
            case GPT2 -> TokenizerSource.GPT2;
            case MODEL -> TokenizerSource.MODEL;
            default -> TokenizerSource.FOLDER;
        };
    }

    public boolean builtInCorpus() {
        return data == null;
    }
}
