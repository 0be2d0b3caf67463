package dev.jllm.cli;

import dev.jllm.download.ModelCache;
import dev.jllm.io.GptCheckpoint;
import dev.jllm.io.ModelFiles;
import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import dev.jllm.tokenizer.HfTokenizer;
import dev.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A model named on the command line ({@code --model DIR|FILE|NAME}) with its tokenizer.
 *
 * @param model     the weights, in evaluation mode
 * @param tokenizer the folder's vocabulary files, else GPT-2's built-in vocabulary when the model has GPT-2's
 *                  vocabulary size, else null (the model then takes token ids only)
 * @param path      where it was loaded from
 */
public record LoadedModel(GptModel model, Tokenizer tokenizer, Path path) {

    /** A folder or file if one exists at {@code arg}, else a downloaded model's name such as {@code gpt2-124M}. */
    public static Path resolve(String arg) {
        Path path = Path.of(arg);
        if (Files.exists(path)) return path;
        if (arg.contains("/") || arg.contains("\\") || arg.startsWith(".")) {
            throw new IllegalArgumentException(arg + ": no such file or folder");
        }
        return ModelCache.resolve(arg);
    }

    public static LoadedModel load(String arg) throws IOException {
        Path path = resolve(arg);
        GptCheckpoint checkpoint = ModelFiles.load(path);
        GptModel model = GptModel.fromStateDict(checkpoint.config(), checkpoint.weights().tensors());
        model.eval();
        return new LoadedModel(model, tokenizerFor(Files.isDirectory(path) ? path : path.toAbsolutePath().getParent(),
                checkpoint.config()), path);
    }

    static Tokenizer tokenizerFor(Path dir, GptConfig config) {
        if (HfTokenizer.isIn(dir)) {
            HfTokenizer t = HfTokenizer.load(dir);
            for (int id = config.vocabSize(); id < t.vocabSize(); id++) { // Gemma's image token is past the text vocabulary
                if (!t.isAdded(id)) {
                    throw new IllegalArgumentException(dir + ": the tokenizer has " + t.vocabSize()
                            + " tokens but the model only " + config.vocabSize());
                }
            }
            return t;
        }
        boolean hasFiles = Arrays.stream(new String[] {"vocab.json", "merges.txt", "encoder.json", "vocab.bpe"})
                .anyMatch(f -> Files.exists(dir.resolve(f)));
        if (hasFiles) {
            Tokenizer t = Gpt2Tokenizer.load(dir);
            if (t.vocabSize() > config.vocabSize()) {
                throw new IllegalArgumentException(dir + ": the tokenizer has " + t.vocabSize()
                        + " tokens but the model only " + config.vocabSize());
            }
            return t;
        }
        return config.vocabSize() == GptConfig.GPT2_VOCAB ? Gpt2Tokenizer.builtIn() : null;
    }

    /** The tokenizer, or a clear error for a model that has none. */
    public Tokenizer requireTokenizer(String why) {
        if (tokenizer == null) {
            throw new IllegalArgumentException(path + " has no tokenizer files (tokenizer.json, or vocab.json + merges.txt) and a vocabulary"
                    + " of " + model.config.vocabSize() + " tokens, not GPT-2's; " + why);
        }
        return tokenizer;
    }

    /**
     * The token that ends generation: a tokenizer.json's EOS ({@code tokenizer_config.json}), else GPT-2's
     * {@code <|endoftext|>} when the tokenizer has it; else -1 (no end token).
     */
    public int endId() {
        if (tokenizer == null) return -1;
        if (tokenizer instanceof HfTokenizer hf && hf.eosToken() != null) {
            int eos = hf.eotId();
            return eos < model.config.vocabSize() ? eos : -1;
        }
        Integer eot = tokenizer.specialTokens().get("<|endoftext|>");
        return eot != null && eot < model.config.vocabSize() ? eot : -1;
    }

    /** Parses {@code 1,2,3} (spaces allowed). */
    static int[] parseIds(String text) {
        String[] parts = text.trim().split("\\s*,\\s*|\\s+");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + parts[i] + "' in '" + text + "' is not a token id");
            }
        }
        return ids;
    }
}
