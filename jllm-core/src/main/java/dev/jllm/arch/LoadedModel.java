package dev.jllm.arch;

import dev.jllm.download.HfDownload;
import dev.jllm.download.ModelCache;
import dev.jllm.io.EndTokenIds;
import dev.jllm.io.gguf.GgufFile;
import dev.jllm.io.gguf.OllamaStore;
import dev.jllm.model.CausalLM;
import dev.jllm.model.GptConfig;
import dev.jllm.model.ModelConfig;
import dev.jllm.model.QuantizedWeights;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import dev.jllm.tokenizer.HfTokenizer;
import dev.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A model opened from a folder, a weights file or a downloaded model's name, with its tokenizer: the library's
 * one entry to a model on disk ({@code LoadedModel.load("gpt2-124M")}). The folder's {@code config.json} says the
 * architecture ({@link Architectures}), its files say the tokenizer.
 *
 * @param model     the weights, in evaluation mode
 * @param tokenizer the folder's vocabulary files, else GPT-2's built-in vocabulary when the model has GPT-2's
 *                  vocabulary size, else null (the model then takes token ids only)
 * @param path      where it was loaded from
 * @param blocks    a GGUF file's own quantized matrices, which decoding streams in place; null for other files
 */
public record LoadedModel(CausalLM model, Tokenizer tokenizer, Path path, QuantizedWeights blocks) {

    public LoadedModel(CausalLM model, Tokenizer tokenizer, Path path) {
        this(model, tokenizer, path, null);
    }

    /**
     * A folder or file if one exists at {@code arg}; {@code ollama:NAME[:TAG]}, a model in the local Ollama store;
     * else a downloaded model's name such as {@code gpt2-124M}.
     */
    public static Path resolve(String arg) {
        if (arg.startsWith(OllamaStore.PREFIX)) {
            try {
                return OllamaStore.resolve(arg.substring(OllamaStore.PREFIX.length()), OllamaStore.defaultRoot());
            } catch (IOException e) {
                throw new IllegalArgumentException(arg + ": " + e.getMessage());
            }
        }
        Path path = Path.of(arg);
        if (Files.exists(path)) return path;
        if (HfDownload.isRepoId(arg)) return ModelCache.resolveRepo(arg, ModelCache.defaultRoot());
        if (arg.contains("/") || arg.contains("\\") || arg.startsWith(".")) {
            throw new IllegalArgumentException(arg + ": no such file or folder");
        }
        return ModelCache.resolve(arg);
    }

    /** The model that {@code arg} names (see {@link #resolve}), in evaluation mode, with its tokenizer. */
    public static LoadedModel load(String arg) throws IOException {
        return load(resolve(arg));
    }

    /** The model at {@code path} (a folder, or a weights file in one), in evaluation mode, with its tokenizer. */
    public static LoadedModel load(Path path) throws IOException {
        if (GgufFile.isGguf(path)) return GgufModels.load(path);
        CausalLM model = Architectures.load(path, new SplittableRandom(0));
        model.eval();
        return new LoadedModel(model, tokenizerFor(folderOf(path), model.config()), path);
    }

    /** The folder of a model path: the path itself, or the folder a weights file is in. */
    public static Path folderOf(Path path) {
        return Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
    }

    /**
     * The tokenizer of the model folder {@code dir}: its vocabulary files, else GPT-2's built-in vocabulary when the
     * model has GPT-2's vocabulary size, else null.
     */
    public static Tokenizer tokenizerFor(Path dir, ModelConfig config) {
        if (HfTokenizer.isIn(dir)) return fits(HfTokenizer.load(dir), config, dir);
        if (Gpt2Tokenizer.hasVocabulary(dir)) return fits(Gpt2Tokenizer.load(dir), config, dir);
        return config.vocabSize() == GptConfig.GPT2_VOCAB ? Gpt2Tokenizer.builtIn() : null;
    }

    /**
     * {@code t}, once its ids are known to fit the model's vocabulary: only added tokens may lie past it (Gemma's image
     * token); else one line naming {@code source}.
     */
    static Tokenizer fits(Tokenizer t, ModelConfig config, Path source) {
        for (int id = config.vocabSize(); id < t.vocabSize(); id++) {
            if (!(t instanceof HfTokenizer hf && hf.isAdded(id))) {
                throw new IllegalArgumentException(source + ": the tokenizer has " + t.vocabSize() + " tokens but the model only "
                        + config.vocabSize());
            }
        }
        return t;
    }

    /** The tokenizer, or a clear error for a model that has none. */
    public Tokenizer requireTokenizer(String why) {
        if (tokenizer == null) {
            throw new IllegalArgumentException(path + " has no tokenizer files (tokenizer.json, or vocab.json + merges.txt) and a vocabulary"
                    + " of " + model.config().vocabSize() + " tokens, not GPT-2's; " + why);
        }
        return tokenizer;
    }

    /**
     * Every token that ends generation, the main one ({@link #endId}) first: the tokenizer's end token, then the
     * {@code eos_token_id}s of the folder's generation_config.json and config.json (ids past the model's
     * vocabulary left out). Empty when there is none.
     */
    public java.util.Set<Integer> endIds() {
        java.util.Set<Integer> ids = new java.util.LinkedHashSet<>();
        int main = endId();
        if (main >= 0) ids.add(main);
        if (!GgufFile.isGguf(path) && Files.exists(path)) { // a GGUF file's end ids are its own metadata
            for (int id : EndTokenIds.read(folderOf(path))) if (id < model.config().vocabSize()) ids.add(id);
        }
        return ids;
    }

    /**
     * The token that ends generation: a tokenizer.json's EOS ({@code tokenizer_config.json}), else GPT-2's
     * {@code <|endoftext|>} when the tokenizer has it; else -1 (no end token).
     */
    public int endId() {
        if (tokenizer == null) return -1;
        if (tokenizer instanceof HfTokenizer hf && hf.eosToken() != null) {
            int eos = hf.eotId();
            return eos < model.config().vocabSize() ? eos : -1;
        }
        Integer eot = tokenizer.specialTokens().get("<|endoftext|>");
        return eot != null && eot < model.config().vocabSize() ? eot : -1;
    }
}
