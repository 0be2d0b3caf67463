package dev.jllm.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.arch.Architectures;
import dev.jllm.io.AtomicFiles;
import dev.jllm.io.ModelFiles;
import dev.jllm.model.CausalLM;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import dev.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;

/** Writes a finetuned model as a model folder that {@code --model DIR} loads, with its settings in config.json. */
public final class FinetunedModel {
    private FinetunedModel() {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * {@code model.safetensors} and {@code config.json} (Hugging Face layout) plus {@code "training": settings}, and
     * the tokenizer's vocab.json + merges.txt.
     */
    public static void save(Path dir, CausalLM model, Tokenizer tokenizer, Object settings) throws IOException {
        Architectures.save(model, dir);
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve(ModelFiles.CONFIG).toFile());
        JsonNode training = JSON.valueToTree(settings);
        config.set("training", training);
        AtomicFiles.writeString(dir.resolve(ModelFiles.CONFIG), JSON.writeValueAsString(config) + "\n");
        if (tokenizer instanceof Gpt2Tokenizer t) t.save(dir);
    }
}
