package dev.jllm.tokenizer;

import dev.jllm.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;

/** The real tokenizer.json files of ../shared/data/tokenizers, read once per test run; tests skip without them. */
public final class SharedTokenizers {
    private SharedTokenizers() {}

    public static final Path DIR = SharedData.dir().resolve("data/tokenizers");
    private static final Map<String, HfTokenizer> LOADED = new ConcurrentHashMap<>();

    /** The folder of a family (llama3, qwen3, gemma3); skips the test when it is absent. */
    public static Path dir(String family) {
        Path dir = DIR.resolve(family);
        Assumptions.assumeTrue(Files.isRegularFile(dir.resolve("tokenizer.json")),
                "skipped: " + dir.resolve("tokenizer.json") + " is absent (the shared data folder is not beside the repository)");
        return dir;
    }

    public static HfTokenizer get(String family) {
        Path dir = dir(family);
        return LOADED.computeIfAbsent(family, f -> HfTokenizer.load(dir));
    }
}
