package dev.jllm.finetune.classify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a saved classifier needs besides its weights: its {@code classifier.json}.
 *
 * @param labels     class names, index = class id
 * @param pooling    which hidden states the head reads
 * @param maxLength  texts are truncated to their first {@code maxLength} tokens, as in training
 * @param padId      the padding id used in training
 * @param trainable  what was trained
 * @param loraRank   LoRA's rank, or 0 without LoRA
 * @param loraAlpha  LoRA's alpha, or 0 without LoRA
 * @param baseModel  the model the finetune started from (as given on the command line), for loading adapters
 */
public record ClassifierInfo(List<String> labels, Pooling pooling, int maxLength, int padId, Trainable trainable,
                             int loraRank, float loraAlpha, String baseModel) {

    public static final String FILE = "classifier.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ClassifierInfo {
        labels = List.copyOf(labels);
        if (labels.size() < 2) throw new IllegalArgumentException("a classifier needs at least 2 labels: " + labels);
        if (maxLength < 1) throw new IllegalArgumentException("max length must be positive, got " + maxLength);
    }

    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        labels.forEach(root.putArray("labels")::add);
        root.put("pooling", pooling.cliName());
        root.put("max_length", maxLength);
        root.put("pad_id", padId);
        root.put("trainable", trainable.cliName());
        if (trainable == Trainable.LORA) {
            root.put("lora_rank", loraRank);
            root.put("lora_alpha", loraAlpha);
        }
        root.put("base_model", baseModel);
        return root;
    }

    public void write(Path dir, JsonNode training) throws IOException {
        ObjectNode root = toJson();
        if (training != null) root.set("training", training);
        AtomicFiles.writeString(dir.resolve(FILE), JSON.writeValueAsString(root) + "\n");
    }

    public static ClassifierInfo read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + " is not a classifier (no " + FILE + "; a classification"
                    + " finetune writes one)");
        }
        JsonNode root = JSON.readTree(file.toFile());
        try {
            List<String> labels = new ArrayList<>();
            root.path("labels").forEach(n -> labels.add(n.asText()));
            Trainable trainable = Trainable.parse(root.path("trainable").asText("last-block"));
            return new ClassifierInfo(labels, Pooling.parse(root.path("pooling").asText("last")),
                    require(root, "max_length").asInt(), require(root, "pad_id").asInt(), trainable,
                    root.path("lora_rank").asInt(0), (float) root.path("lora_alpha").asDouble(0),
                    root.path("base_model").asText(""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    private static JsonNode require(JsonNode root, String key) {
        JsonNode n = root.get(key);
        if (n == null || !n.isNumber()) throw new IllegalArgumentException("missing number '" + key + "'");
        return n;
    }
}
