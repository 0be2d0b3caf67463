package dev.jllm.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real datasets in {@code ../shared/data} (the-verdict.txt, the SMS Spam Collection, GPT-2's vocabulary...).
 * Tests that need one call {@link #file}; where the folder is absent the test is skipped with a clear message.
 */
public final class SharedData {
    private SharedData() {}

    /**
     * The shared folder: the {@code jllm.shared.dir} system property (set by the build), else {@code ../shared} beside
     * the repository, seen from a module's folder (where tests and benchmarks run): {@code ../../shared}.
     */
    public static Path dir() {
        return Path.of(System.getProperty("jllm.shared.dir", "../../shared")).toAbsolutePath().normalize();
    }

    /** A file under {@code shared/data}, or skips the calling test when it is not there. */
    public static Path file(String relative) {
        Path p = dir().resolve("data").resolve(relative);
        assumeTrue(Files.isRegularFile(p), () -> "skipped: " + p + " is absent (tests read real data from ../shared/data)");
        return p;
    }
}
