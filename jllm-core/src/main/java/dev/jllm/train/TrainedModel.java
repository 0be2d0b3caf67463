package dev.jllm.train;

import dev.jllm.generate.GenerationOptions;
import dev.jllm.model.CausalLM;
import dev.jllm.nn.Module;
import dev.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What a {@link Trainer} trains, as its {@link RunFolder} keeps it: the module (its trainable parameters are what the
 * optimizer updates), the model files of a checkpoint, and the finished model at the folder's root. A language model
 * is {@link #language}; a job that trains something else (classification's {@code GptClassifier}) writes its own.
 *
 * @param <M> the module's type, which the job's {@link TrainingData} computes the loss of
 */
public interface TrainedModel<M extends Module> {

    M module();

    /** The model's configuration in words; every rank of a data-parallel run must give the same. */
    String describe();

    /** Writes the model's files into a checkpoint folder: what a resumed run needs to rebuild it exactly. */
    void writeCheckpoint(Path dir) throws IOException;

    /** Writes the model, ready to use, into the run folder {@code dir} (its settings are added by the folder). */
    void writeModel(Path dir) throws IOException;

    /**
     * The prompt followed by what the model generates for it, for the samples after each epoch; only a language model
     * has them.
     */
    default String sample(String prompt, GenerationOptions options) {
        throw new UnsupportedOperationException(describe() + " generates no text samples");
    }

    /** A language model, whose samples {@code tokenizer} encodes and decodes (null: none). */
    static TrainedModel<CausalLM> language(CausalLM model, Tokenizer tokenizer) {
        return new LanguageModel(model, tokenizer);
    }
}
