package dev.jllm.arch;

import dev.jllm.io.GptCheckpoint;
import dev.jllm.io.gguf.GgufFile;
import dev.jllm.io.gguf.GgufGpt2;
import dev.jllm.io.gguf.GgufLlama;
import dev.jllm.model.GptModel;
import dev.jllm.model.QuantizedWeights;
import dev.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Models in GGUF files (llama.cpp, Ollama, LM Studio), opened by their {@code general.architecture}. The file stays
 * mapped while the model is used: its quantized matrices are what decoding streams, read in place; the model's
 * float32 weights (for the other paths) are their dequantized values.
 */
final class GgufModels {
    private GgufModels() {}

    static LoadedModel load(Path path) throws IOException {
        GgufFile f = GgufFile.open(path);
        try {
            String arch = f.architecture();
            if (arch.equals(GgufGpt2.ARCHITECTURE)) {
                GptCheckpoint cp = GgufGpt2.read(f);
                GptModel model = GptModel.fromStateDict(cp.config(), cp.weights().tensors());
                model.eval();
                QuantizedWeights blocks = GgufGpt2.decodeWeights(model, f);
                Tokenizer tokenizer = f.has("tokenizer.ggml.model") ? GgufGpt2.tokenizer(f)
                        : LoadedModel.tokenizerFor(LoadedModel.folderOf(path), model.config());
                return new LoadedModel(model, tokenizer, path, blocks);
            }
            if (GgufLlama.ARCHITECTURES.contains(arch) || arch.equals("gemma3")) {
                throw new IllegalArgumentException(path + ": GGUF architecture '" + arch + "' is not yet mapped onto a jllm model"
                        + (arch.equals("gemma3") ? "" : "; `jllm bench gguf` decodes it"));
            }
            throw new IllegalArgumentException(path + ": architecture '" + arch + "' is not supported (jllm reads GGUF files of gpt2"
                    + ", and decodes llama and qwen3 with `jllm bench gguf`)");
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }
}
