package dev.jllm.arch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.model.CausalLM;
import dev.jllm.model.DecoderConfig.Family;
import dev.jllm.model.GptConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The architectures jllm knows, and the one place a model folder is opened or written: the folder's
 * {@code config.json} names the architecture in {@code model_type}. A folder without one (OpenAI's TensorFlow
 * checkpoint, the book's safetensors file, a config in the book's spelling) is GPT-2.
 *
 * <p>To add an architecture: implement {@link Architecture} and add it to {@link #KNOWN}; nothing that takes a
 * {@link CausalLM} changes.
 */
public final class Architectures {
    private Architectures() {}

    /** Every architecture jllm reads, by {@link Architecture#modelType()}. */
    private static final List<Architecture> KNOWN = List.of(new Gpt2Architecture(),
            new DecoderArchitecture(Family.LLAMA), new DecoderArchitecture(Family.QWEN3),
            new DecoderArchitecture(Family.GEMMA3));

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFIG = "config.json";

    /** The architecture whose {@code config.json} says {@code model_type: type}. */
    public static Architecture forModelType(String type) {
        for (Architecture a : KNOWN) if (a.modelType().equals(type)) return a;
        throw new IllegalArgumentException("model_type '" + type + "' is not an architecture jllm knows (it knows "
                + String.join(", ", KNOWN.stream().map(Architecture::modelType).toList()) + ")");
    }

    /** The architecture of {@code model}. */
    public static Architecture of(CausalLM model) {
        return forModelType(model.config().architecture());
    }

    /** The architecture of the model at {@code path} (a folder, or a weights file in one), from its config.json. */
    public static Architecture detect(Path path) throws IOException {
        Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        Path config = dir == null ? null : dir.resolve(CONFIG);
        if (config == null || !Files.isRegularFile(config)) return forModelType(GptConfig.ARCHITECTURE);
        JsonNode type;
        try {
            JsonNode root = JSON.readTree(config.toFile());
            type = root == null ? null : root.get("model_type");
        } catch (IOException e) {
            type = null; // GPT-2's reader reports what is wrong with the file
        }
        if (type == null || !type.isTextual()) return forModelType(GptConfig.ARCHITECTURE);
        try {
            return forModelType(type.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(config + ": " + e.getMessage());
        }
    }

    /** The model at {@code path}, in training mode, its dropout drawn from {@code dropoutRng}. */
    public static CausalLM load(Path path, RandomGenerator dropoutRng) throws IOException {
        if (!Files.exists(path)) throw new IllegalArgumentException(path + ": no such file or folder");
        return detect(path).load(path, dropoutRng);
    }

    /** Writes {@code model}'s config.json and weights into {@code dir} (created if needed), in its files' layout. */
    public static void save(CausalLM model, Path dir) throws IOException {
        of(model).save(model, dir);
    }
}
