package dev.jllm.finetune.classify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jllm.io.Safetensors;
import dev.jllm.io.StateDict;
import dev.jllm.tokenizer.Tokenizer;
import dev.jllm.train.Checkpoint;
import dev.jllm.train.TrainedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * A classifier in the shared training loop: a checkpoint keeps its trainable parameters ({@value #TRAINED}; the rest
 * is the base model, which a resumed run reads again), the run folder the whole classifier ({@link ClassifierFiles}).
 */
final class TrainedClassifier implements TrainedModel<GptClassifier> {

    /** A checkpoint's trainable parameters by their module names (head, unfrozen blocks, LoRA adapters). */
    static final String TRAINED = "trainable.safetensors";

    private final GptClassifier model;
    private final Tokenizer tokenizer;
    private final ClassifierInfo info;
    private final Set<String> trainable;
    /** classifier.json's "training" while the run goes on (its settings; the results are added at the end). */
    private final JsonNode training;

    TrainedClassifier(GptClassifier model, Tokenizer tokenizer, ClassifierInfo info, JsonNode training) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.info = info;
        this.training = training;
        this.trainable = Set.copyOf(model.trainableParameters().keySet());
    }

    @Override
    public GptClassifier module() {
        return model;
    }

    @Override
    public String describe() {
        return model.gpt.config() + ", " + info.labels() + ", " + info.pooling() + ", trains " + info.trainable();
    }

    @Override
    public void writeCheckpoint(Path dir) throws IOException {
        Safetensors.write(dir.resolve(TRAINED), StateDict.of(model.copyParameters(trainable::contains)));
    }

    /** Puts the trainable parameters of the checkpoint {@code dir} into the model. */
    void readCheckpoint(Path dir) throws IOException {
        Checkpoint.requireFiles(dir, TRAINED);
        Path file = dir.resolve(TRAINED);
        model.loadParameters(Safetensors.read(file).tensors(), trainable::contains, file.toString());
    }

    @Override
    public void writeModel(Path dir) throws IOException {
        ClassifierFiles.save(dir, model, tokenizer, info, training);
    }
}
