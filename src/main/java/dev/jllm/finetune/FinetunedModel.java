package dev.jllm.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.jllm.io.ModelFiles;
import dev.jllm.io.StateDict;
import dev.jllm.model.GptModel;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import dev.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Writes a finetuned model as a model folder that {@code --model DIR} loads, with its settings in config.json. */
public final class FinetunedModel {
    private FinetunedModel() {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * {@code model.safetensors} and {@code config.json} (Hugging Face layout) plus {@code "training": settings}, and
     * the tokenizer's vocab.json + merges.txt.
     */
    public static void save(Path dir, GptModel model, Tokenizer tokenizer, Object settings) throws IOException {
        StateDict weights = new StateDict();
        model.stateDict().forEach(weights::put);
        JsonNode training = JSON.valueToTree(settings);
        ModelFiles.save(dir, model.config, weights, Map.of("training", training));
        if (tokenizer instanceof Gpt2Tokenizer t) t.save(dir);
    }
}
