package dev.jllm.download;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Fetches a Hugging Face model repository ({@code Qwen/Qwen3-0.6B}) into {@code <cache>/models/ORG--NAME/}: the
 * repository's file list from {@code <endpoint>/api/models/ORG/NAME}, then each top-level config, tokenizer and
 * safetensors file from {@code <endpoint>/ORG/NAME/resolve/main/<file>} (small files first), with the
 * {@link Downloader}'s resume, retries and SHA-256 checks. Files already there are kept. {@code HF_TOKEN} is sent
 * for gated repositories (Llama).
 */
public final class HfDownload {
    private static final Pattern REPO = Pattern.compile("[A-Za-z0-9][\\w.-]*/[A-Za-z0-9][\\w.-]*");
    private static final Pattern WANTED = Pattern.compile("[^/]+\\.(json|safetensors|txt|jinja|model)");

    private final Downloader downloader;
    private final URI endpoint;

    public HfDownload(Downloader downloader, URI endpoint) {
        this.downloader = downloader;
        this.endpoint = endpoint;
    }

    /** Whether {@code id} has the shape of a repository id, ORG/NAME. */
    public static boolean isRepoId(String id) {
        return REPO.matcher(id).matches() && !id.contains("..");
    }

    /** The cache folder name of a repository: {@code Qwen/Qwen3-0.6B} → {@code Qwen--Qwen3-0.6B}. */
    public static String folderName(String repo) {
        return repo.replace("/", "--");
    }

    /** Downloads the repository's missing files and returns its folder. */
    public Path download(String repo, Path cacheRoot) throws IOException {
        if (!isRepoId(repo)) throw new IllegalArgumentException("'" + repo + "' is not a Hugging Face repository id (ORG/NAME)");
        Path dir = ModelCache.modelsDir(cacheRoot).resolve(folderName(repo));
        Files.createDirectories(dir);
        Path listing = dir.resolve(".jllm-files.json");
        try {
            downloader.download(URI.create(base() + "/api/models/" + repo), listing, Optional.empty());
        } catch (DownloadException e) {
            if (e.getMessage().contains("access denied") && !downloader.hasToken()) {
                throw new DownloadException(e.getMessage() + "; " + repo + " may be gated: accept its license on Hugging"
                        + " Face and set HF_TOKEN", false);
            }
            throw e;
        }
        List<String> files = files(repo, listing);
        for (String file : files) {
            Path target = dir.resolve(file);
            if (Files.isRegularFile(target)) continue;
            downloader.download(URI.create(base() + "/" + repo + "/resolve/main/" + file), target, Optional.empty());
        }
        return dir;
    }

    /** The top-level files worth fetching, from the listing's {@code siblings}: small ones first. */
    static List<String> files(String repo, Path listing) throws IOException {
        JsonNode siblings = new ObjectMapper().readTree(listing.toFile()).get("siblings");
        if (siblings == null || !siblings.isArray()) throw new IOException(listing + ": no file list for " + repo);
        List<String> out = new ArrayList<>();
        for (JsonNode s : siblings) {
            String name = s.path("rfilename").asText("");
            if (WANTED.matcher(name).matches() && !name.startsWith(".")) out.add(name);
        }
        if (out.stream().noneMatch(f -> f.endsWith(".safetensors"))) {
            throw new IOException(repo + " has no safetensors weights at its top level (jllm reads safetensors)");
        }
        out.sort(Comparator.comparing((String f) -> f.endsWith(".safetensors")).thenComparing(f -> f));
        return out;
    }

    private String base() {
        return endpoint.toString().replaceAll("/+$", "");
    }
}
