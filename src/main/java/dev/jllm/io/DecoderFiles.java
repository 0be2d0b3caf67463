package dev.jllm.io;

import dev.jllm.model.DecoderConfig;
import dev.jllm.model.DecoderModel;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Llama, Qwen3 and Gemma 3 model folders in Hugging Face's layout: {@code config.json} and the safetensors
 * weights (single or sharded, any of F32, F16, BF16), under the names transformers uses.
 */
public final class DecoderFiles {
    private DecoderFiles() {}

    /** Whether {@code dir} has a config.json of one of the families {@link DecoderConfig.Family} names. */
    public static boolean isDecoderFolder(Path dir) {
        Path config = dir.resolve(ModelFiles.CONFIG);
        if (!Files.isDirectory(dir) || !Files.isRegularFile(config)) return false;
        try {
            String type = DecoderConfigJson.modelType(config);
            for (DecoderConfig.Family f : DecoderConfig.Family.values()) if (f.modelType.equals(type)) return true;
            return false;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    public static DecoderConfig config(Path dir) throws IOException {
        Path file = dir.resolve(ModelFiles.CONFIG);
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(dir + ": no " + ModelFiles.CONFIG);
        return DecoderConfigJson.read(file);
    }

    /**
     * Saves {@code model} in Hugging Face's layout: config.json and model.safetensors with the tensors as
     * {@code dtype} (F32, or BF16 as published), under transformers' names (no lm_head.weight when tied).
     */
    public static void save(Path dir, DecoderModel model, Dtype dtype) throws IOException {
        StateDict out = new StateDict();
        out.metadata().put("format", "pt"); // transformers refuses safetensors files without it
        model.namedParameters().forEach(out::put);
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve(ModelFiles.WEIGHTS), out, dtype);
        DecoderConfigJson.write(dir.resolve(ModelFiles.CONFIG), model.config, dtype == Dtype.BF16 ? "bfloat16" : "float32");
    }

    /** The model in {@code dir} with float32 weights (for training and fine-tuning), checked against its config. */
    public static DecoderModel load(Path dir) throws IOException {
        DecoderConfig config = config(dir);
        try (SafetensorsShards shards = SafetensorsShards.open(dir)) {
            Map<String, Tensor> weights = new LinkedHashMap<>();
            for (String name : shards.names()) weights.put(name, shards.read(name));
            try {
                return DecoderModel.fromStateDict(config, weights);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(dir + ": " + e.getMessage());
            }
        }
    }
}
