package dev.jllm.arch;

import dev.jllm.io.DecoderFiles;
import dev.jllm.model.CausalLM;
import dev.jllm.model.DecoderConfig.Family;
import dev.jllm.model.DecoderModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.random.RandomGenerator;

/**
 * Llama 3.2, Qwen3 or Gemma 3 ({@link DecoderModel}, one instance per {@link Family}): a Hugging Face folder with
 * config.json and safetensors weights (single or sharded; F32, F16 or BF16). A BF16 checkpoint's matrices stay
 * bfloat16 in place (read-only: for inference, and as the frozen base of LoRA); {@link CausalLM#copy} makes the
 * float32 model that full training changes. Saved with each tensor as it is held (float32 ones as F32, so that
 * finetuned weights lose nothing; bfloat16 ones as BF16).
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
        return DecoderFiles.load(Files.isDirectory(path) ? path : path.toAbsolutePath().getParent(), true);
    }

    @Override
    public void save(CausalLM model, Path dir) throws IOException {
        DecoderFiles.saveAsHeld(dir, (DecoderModel) model);
    }
}
