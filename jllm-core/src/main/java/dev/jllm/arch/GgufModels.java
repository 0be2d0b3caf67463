package dev.jllm.arch;

import dev.jllm.io.GptCheckpoint;
import dev.jllm.io.gguf.GgufDecoder;
import dev.jllm.io.gguf.GgufFile;
import dev.jllm.io.gguf.GgufGpt2;
import dev.jllm.io.gguf.GgufTokenizer;
import dev.jllm.model.CausalLM;
import dev.jllm.model.DecoderModel;
import dev.jllm.model.GptModel;
import dev.jllm.model.QuantizedWeights;
import dev.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Models in GGUF files (llama.cpp, Ollama, LM Studio), opened by their {@code general.architecture}: {@code gpt2}
 * as {@link GptModel}, {@code llama}, {@code qwen3} and {@code gemma3} as {@link DecoderModel}; the tokenizer is the
 * file's own ({@link GgufTokenizer}). The file stays mapped while the model is used. A decoder family's matrices are
 * the file's blocks in place ({@link GgufDecoder#read}: no float32 copy; every path, decoding, prefill, perplexity,
 * batches, reads them). GPT-2's weights are float32 (dequantized), its decode step streams the file's blocks.
 */
final class GgufModels {
    private GgufModels() {}

    static LoadedModel load(Path path) throws IOException {
        GgufFile f = GgufFile.open(path);
        try {
            String arch = f.architecture();
            CausalLM model;
            QuantizedWeights blocks;
            if (arch.equals(GgufGpt2.ARCHITECTURE)) {
                GptCheckpoint cp = GgufGpt2.read(f);
                GptModel gpt = GptModel.fromStateDict(cp.config(), cp.weights().tensors());
                model = gpt;
                blocks = GgufGpt2.decodeWeights(gpt, f);
            } else if (GgufDecoder.ARCHITECTURES.containsKey(arch)) {
                model = GgufDecoder.read(f); // its matrices are the file's blocks, in place
                blocks = null;
            } else {
                throw new IllegalArgumentException(path + ": architecture '" + arch + "' is not supported (jllm reads GGUF files of "
                        + "gpt2, llama, qwen3 and gemma3)");
            }
            model.eval();
            Tokenizer tokenizer = GgufTokenizer.isIn(f) ? LoadedModel.fits(GgufTokenizer.read(f), model.config(), path)
                    : LoadedModel.tokenizerFor(LoadedModel.folderOf(path), model.config());
            return new LoadedModel(model, tokenizer, path, blocks);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }
}
