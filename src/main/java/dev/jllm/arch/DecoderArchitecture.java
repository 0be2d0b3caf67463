package dev.jllm.arch;

import dev.jllm.io.DecoderFiles;
import dev.jllm.io.Dtype;
import dev.jllm.model.CausalLM;
import dev.jllm.model.DecoderConfig.Family;
import dev.jllm.model.DecoderModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.random.RandomGenerator;

/**
 * Llama 3.2, Qwen3 or Gemma 3 ({@link DecoderModel}, one instance per {@link Family}): a Hugging Face folder with
 * config.json and safetensors weights (single or sharded; F32, F16 or BF16). Saved as float32, so that finetuned
 * weights lose nothing.
 */
final class DecoderArchitecture implements Architecture {
    private final Family family;

    DecoderArchitecture(Family family) {
        this.family = family;
    }

    @Override
    public String modelType() {
        return family.modelType;
    }

    @Override
    public DecoderModel load(Path path, RandomGenerator dropoutRng) throws IOException {
        return DecoderFiles.load(Files.isDirectory(path) ? path : path.toAbsolutePath().getParent());
    }

    @Override
    public void save(CausalLM model, Path dir) throws IOException {
        DecoderFiles.save(dir, (DecoderModel) model, Dtype.F32);
    }
}
