package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloadCommandTest {
    @TempDir
    Path cache;

    private final StringWriter out = new StringWriter(), err = new StringWriter();

    private int run(String... args) {
        return CliHarness.execute(out, err, args);
    }

    @Test
    void aDatasetAlreadyInTheCacheIsPrintedAsJsonWithoutDownloading() throws Exception {
        Path file = Files.createDirectories(cache.resolve("datasets")).resolve("the-verdict.txt");
        Files.writeString(file, "I HAD always thought Jack Gisburn");
        assertThat(run("download", "dataset", "the-verdict", "--cache", cache.toString(), "--json")).isZero();
        assertThat(out.toString().trim()).isEqualTo("{\"path\":\"" + file.toAbsolutePath() + "\"}");
    }

    @Test
    void anUnknownSizeOrDatasetIsAOneLineError() {
        assertThat(run("download", "gpt2", "--size", "13M", "--cache", cache.toString())).isNotZero();
        assertThat(err.toString()).contains("--size: unknown GPT-2 size '13M' (choose one of 124M, 355M, 774M, 1558M)");
        assertThat(run("download", "dataset", "imdb", "--cache", cache.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("jllm: error: unknown dataset 'imdb'");
    }
}
