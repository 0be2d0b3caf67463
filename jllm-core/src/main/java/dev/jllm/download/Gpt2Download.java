package dev.jllm.download;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Fetches a GPT-2 checkpoint from Hugging Face ({@code <endpoint>/<repository>/resolve/main/<file>}) into
 * {@code <cache>/models/gpt2-<size>/}. Files already there are kept. The weights are checked against the SHA-256
 * the server announces for LFS files; the small text files against their announced size.
 */
public final class Gpt2Download {
    /** The files of a GPT-2 model folder; the small ones first, so a bad endpoint shows before the big download. */
    public static final List<String> FILES = List.of("config.json", "vocab.json", "merges.txt", "model.safetensors");

    private final Downloader downloader;
    private final URI endpoint;

    public Gpt2Download(Downloader downloader, URI endpoint) {
        this.downloader = downloader;
        this.endpoint = endpoint;
    }

    /** The Hugging Face endpoint: {@code $JLLM_HF_ENDPOINT} (like huggingface_hub's HF_ENDPOINT), else huggingface.co. */
    public static URI defaultEndpoint() {
        String env = System.getenv("JLLM_HF_ENDPOINT");
        return URI.create(env != null && !env.isBlank() ? env : "https://huggingface.co");
    }

    /** Downloads the missing files of {@code size} and returns the model folder. */
    public Path download(Gpt2Size size, Path cacheRoot) throws IOException {
        Path dir = ModelCache.modelsDir(cacheRoot).resolve(size.modelName());
        for (String file : FILES) {
            Path target = dir.resolve(file);
            if (Files.isRegularFile(target)) continue;
            downloader.download(url(size, file), target, Optional.empty());
        }
        return dir;
    }

    URI url(Gpt2Size size, String file) {
        String base = endpoint.toString().replaceAll("/+$", "");
        return URI.create(base + "/" + size.repository() + "/resolve/main/" + file);
    }
}
