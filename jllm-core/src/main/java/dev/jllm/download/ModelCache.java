package dev.jllm.download;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where downloads live: {@code $JLLM_CACHE}, else {@code ~/.cache/jllm}; models under {@code models/<name>/},
 * datasets under {@code datasets/}. {@link #resolve(String)} turns a model name such as {@code gpt2-124M} into
 * its folder, the one way other commands find a downloaded model.
 */
public final class ModelCache {
    private ModelCache() {}

    /** The cache folder: the {@code JLLM_CACHE} environment variable, else {@code ~/.cache/jllm}. */
    public static Path defaultRoot() {
        String env = System.getenv("JLLM_CACHE");
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".cache", "jllm");
    }

    public static Path modelsDir(Path root) {
        return root.resolve("models");
    }

    public static Path datasetsDir(Path root) {
        return root.resolve("datasets");
    }

    /** The folder of a downloaded model in the default cache; see {@link #resolve(String, Path)}. */
    public static Path resolve(String name) {
        return resolve(name, defaultRoot());
    }

    /**
     * The folder of a Hugging Face repository downloaded by {@code jllm download ORG/NAME}, checked to hold a config
     * and weights; else an error that says how to fetch it.
     */
    public static Path resolveRepo(String repo, Path root) {
        Path dir = modelsDir(root).resolve(HfDownload.folderName(repo));
        boolean weights = Files.isRegularFile(dir.resolve("model.safetensors"))
                || Files.isRegularFile(dir.resolve("model.safetensors.index.json"));
        if (!Files.isRegularFile(dir.resolve("config.json")) || !weights) {
            throw new IllegalArgumentException(repo + ": no such folder, and not downloaded (run `jllm download " + repo + "`)");
        }
        return dir;
    }

    /**
     * The folder of a downloaded model, e.g. {@code gpt2-124M} → {@code <root>/models/gpt2-124M}, checked to hold
     * every file a download puts there; else an error that says which command fetches it.
     */
    public static Path resolve(String name, Path root) {
        if (name.isBlank() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IllegalArgumentException("'" + name + "' is not a model name (like gpt2-124M)");
        }
        Path dir = modelsDir(root).resolve(name);
        String fetch = Gpt2Size.fromModelName(name)
                .map(size -> "run `jllm download gpt2 --size " + size.label() + "`")
                .orElse("known names: " + String.join(", ", Gpt2Size.modelNames()));
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model " + name + " is not downloaded (no folder " + dir + "): " + fetch);
        }
        List<String> missing = Gpt2Download.FILES.stream().filter(f -> !Files.isRegularFile(dir.resolve(f))).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("model " + name + " in " + dir + " is incomplete (missing "
                    + String.join(", ", missing) + "): " + fetch);
        }
        return dir;
    }
}
