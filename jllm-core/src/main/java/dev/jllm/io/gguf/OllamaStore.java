package dev.jllm.io.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Models in the local Ollama store, read-only: {@code NAME[:TAG]} ({@code llama3.2}, {@code qwen3:0.6b},
 * {@code user/model:tag}, {@code host/ns/model:tag}) → the manifest
 * {@code ROOT/manifests/HOST/NS/NAME/TAG} (host {@code registry.ollama.ai}, namespace {@code library} and tag
 * {@code latest} by default) → its layer of media type {@code application/vnd.ollama.image.model} → the GGUF blob
 * {@code ROOT/blobs/sha256-HEX}. ROOT is {@code $OLLAMA_MODELS}, else {@code ~/.ollama/models}.
 */
public final class OllamaStore {
    private OllamaStore() {}

    public static final String PREFIX = "ollama:";
    static final String MODEL_LAYER = "application/vnd.ollama.image.model";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The store's root: {@code OLLAMA_MODELS}, else {@code ~/.ollama/models}. */
    public static Path defaultRoot() {
        String env = System.getenv("OLLAMA_MODELS");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".ollama", "models");
    }

    /** The GGUF blob of {@code ref} (without the {@code ollama:} prefix) in the store at {@code root}. */
    public static Path resolve(String ref, Path root) throws IOException {
        int colon = ref.lastIndexOf(':');
        String name = colon > ref.lastIndexOf('/') ? ref.substring(0, colon) : ref;
        String tag = colon > ref.lastIndexOf('/') ? ref.substring(colon + 1) : "latest";
        String[] parts = name.split("/", -1);
        for (String p : parts) {
            if (p.isEmpty() || p.equals(".") || p.equals("..")) throw new IllegalArgumentException("'" + PREFIX + ref + "' is not an Ollama model name");
        }
        if (tag.isEmpty() || tag.contains("/") || parts.length > 3) throw new IllegalArgumentException("'" + PREFIX + ref + "' is not an Ollama model name");
        String host = parts.length == 3 ? parts[0] : "registry.ollama.ai";
        String ns = parts.length >= 2 ? parts[parts.length - 2] : "library";
        Path manifest = root.resolve("manifests").resolve(host).resolve(ns).resolve(parts[parts.length - 1]).resolve(tag);
        if (!Files.isRegularFile(manifest)) {
            throw new IllegalArgumentException(PREFIX + ref + ": no such model in the Ollama store (no manifest " + manifest + ")");
        }
        JsonNode root2;
        try {
            root2 = JSON.readTree(manifest.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(manifest + ": not a JSON manifest");
        }
        JsonNode layers = root2 == null ? null : root2.get("layers");
        if (layers != null && layers.isArray()) {
            for (JsonNode layer : layers) {
                if (MODEL_LAYER.equals(layer.path("mediaType").asText()) && layer.path("digest").isTextual()) {
                    String digest = layer.get("digest").asText();
                    if (!digest.matches("sha256:[0-9a-f]{64}")) throw new IllegalArgumentException(manifest + ": bad digest '" + digest + "'");
                    Path blob = root.resolve("blobs").resolve(digest.replace(':', '-'));
                    if (!Files.isRegularFile(blob)) throw new IllegalArgumentException(PREFIX + ref + ": the manifest names blob " + blob + ", which is missing");
                    return blob;
                }
            }
        }
        throw new IllegalArgumentException(manifest + ": no layer of type " + MODEL_LAYER);
    }
}
