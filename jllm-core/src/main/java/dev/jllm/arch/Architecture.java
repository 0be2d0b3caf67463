package dev.jllm.arch;

import dev.jllm.model.CausalLM;
import java.io.IOException;
import java.nio.file.Path;
import java.util.random.RandomGenerator;

/**
 * One model architecture that jllm reads and writes: how its folders become a {@link CausalLM} and back.
 * {@link Architectures} holds the known ones, keyed by {@link #modelType()}.
 */
public interface Architecture {

    /** The {@code model_type} of its Hugging Face {@code config.json}: {@code gpt2}, {@code llama}, ... */
    String modelType();

    /**
     * The model at {@code path} (a model folder, or a weights file in one), in training mode, its dropout drawn from
     * {@code dropoutRng}. Errors name the file and what is wrong in it.
     */
    CausalLM load(Path path, RandomGenerator dropoutRng) throws IOException;

    /**
     * Writes {@code model} (of this architecture) into {@code dir} as its Hugging Face folder: {@code config.json}
     * and the weights; tokenizer files are not written here.
     */
    void save(CausalLM model, Path dir) throws IOException;
}
