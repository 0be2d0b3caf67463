package dev.jllm.io;

import dev.jllm.model.DecoderConfig;
import dev.jllm.model.DecoderModel;
import dev.jllm.nn.LoRA;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
     * {@code dtype} (F32, or BF16 as published), under transformers' names (no lm_head.weight when tied; no LoRA
     * adapters).
     */
    public static void save(Path dir, DecoderModel model, Dtype dtype) throws IOException {
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve(ModelFiles.WEIGHTS), weights(model), dtype);
        DecoderConfigJson.write(dir.resolve(ModelFiles.CONFIG), model.config, dtype == Dtype.BF16 ? "bfloat16" : "float32");
    }

    /**
     * Saves {@code model} as {@link #save} does, each tensor in the type it is held in: a checkpoint's bfloat16
     * matrices as BF16 (as they are), float32 ones (trained or merged) as F32, so nothing is rounded.
     */
    public static void saveAsHeld(Path dir, DecoderModel model) throws IOException {
        boolean allBf16 = true;
        for (Tensor t : model.parameters()) allBf16 &= t.rank() == 1 || t.isBf16();
        Files.createDirectories(dir);
        Safetensors.writeAsHeld(dir.resolve(ModelFiles.WEIGHTS), weights(model));
        DecoderConfigJson.write(dir.resolve(ModelFiles.CONFIG), model.config, allBf16 ? "bfloat16" : "float32");
    }

    private static StateDict weights(DecoderModel model) {
        StateDict out = new StateDict();
        out.metadata().put("format", "pt"); // transformers refuses safetensors files without it
        model.namedParameters().forEach((name, t) -> {
            if (!LoRA.isAdapter(name)) out.put(name, t); // adapters are saved apart (LoRA.FILE)
        });
        return out;
    }

    /** The model in {@code dir} with float32 weights (for training and fine-tuning), checked against its config. */
    public static DecoderModel load(Path dir) throws IOException {
        return load(dir, false);
    }

    /**
     * The model in {@code dir}, checked against its config. With {@code keepBf16}, the bfloat16 matrices of a
     * published checkpoint stay bf16 where they are (mapped while the model is reachable, read-only: half the
     * memory of float32, nothing read at load); otherwise, and for other dtypes, the weights are float32 arrays.
     */
    public static DecoderModel load(Path dir, boolean keepBf16) throws IOException {
        DecoderConfig config = config(dir);
        SafetensorsShards shards = keepBf16 ? SafetensorsShards.openKept(dir) : SafetensorsShards.open(dir);
        try {
            return DecoderModel.fromCheckpoint(config, shards, keepBf16);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(dir + ": " + e.getMessage());
        } finally {
            shards.close(); // kept shards stay mapped while the model's tensors reach them
        }
    }
}
