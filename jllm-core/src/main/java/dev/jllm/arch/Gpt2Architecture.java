package dev.jllm.arch;

import dev.jllm.io.GptCheckpoint;
import dev.jllm.io.ModelFiles;
import dev.jllm.io.StateDict;
import dev.jllm.model.CausalLM;
import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.random.RandomGenerator;

/** GPT-2 ({@link GptModel}), in every layout {@link ModelFiles} reads; written in Hugging Face's layout. */
final class Gpt2Architecture implements Architecture {

    @Override
    public String modelType() {
        return GptConfig.ARCHITECTURE;
    }

    @Override
    public GptModel load(Path path, RandomGenerator dropoutRng) throws IOException {
        GptCheckpoint checkpoint = ModelFiles.load(path);
        return GptModel.fromStateDict(checkpoint.config(), checkpoint.weights().tensors(), dropoutRng);
    }

    @Override
    public void save(CausalLM model, Path dir) throws IOException {
        GptModel gpt = (GptModel) model;
        ModelFiles.save(dir, gpt.config, StateDict.of(gpt.stateDict()));
    }
}
