package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.train.StoryCorpus;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jllm} as its own process, for what only a real process shows: signals, and standard input closed by the
 * shell. Each starts a JVM with the test classpath (a few seconds).
 */
class JllmProcessTest {

    @TempDir
    Path tmp;

    /** A jllm process started through bash (so that redirections such as {@code <&-} apply). */
    static Process start(Path dir, String redirect, String... args) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> line = new ArrayList<>(List.of(java.toString(), "--add-modules", "jdk.incubator.vector",
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        line.addAll(List.of(args));
        StringBuilder script = new StringBuilder("exec");
        for (String a : line) script.append(" '").append(a.replace("'", "'\\''")).append("'");
        script.append(' ').append(redirect);
        return new ProcessBuilder("bash", "-c", script.toString()).directory(dir.toFile()).start();
    }

    @Test
    void aStopSignalWritesTheCheckpointThenTheResumeLineAndTheJsonObject() throws Exception {
        Path stories = tmp.resolve("stories.txt");
        Files.writeString(stories, StoryCorpus.generate(11, 20));
        Path run = tmp.resolve("run");
        Process p = start(tmp, "", "pretrain", "--data", stories.toString(), "--tokenizer", "bpe", "--vocab-size", "300",
                "--emb", "32", "--layers", "1", "--heads", "2", "--context", "16", "--batch", "4", "--steps", "1000000",
                "--eval-every", "1000000", "--no-progress", "--json", "--out", run.toString());
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.inputReader()));
        BufferedReader err = p.errorReader();
        StringBuilder log = new StringBuilder();
        for (String l; (l = err.readLine()) != null; ) {
            log.append(l).append('\n');
            if (l.startsWith("data:")) break; // training starts now
        }
        Thread.sleep(1500);
        // SIGTERM takes Ctrl-C's path (the shutdown hook). SIGINT itself would be ignored when the build was started
        // from a background shell, which makes its children ignore it.
        new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
        CompletableFuture<String> rest = CompletableFuture.supplyAsync(() -> read(err));
        boolean ended = p.waitFor(120, TimeUnit.SECONDS);
        if (!ended) p.destroyForcibly();
        log.append(rest.get());
        assertThat(ended).as(log.toString()).isTrue();

        assertThat(log.toString()).contains("checkpoint written. Continue with: jllm pretrain --resume " + run);
        assertThat(out.get()).as(log.toString()).startsWith("{\"run_dir\":\"" + run + "\",\"steps\":");
        try (var checkpoints = Files.list(run.resolve("checkpoints"))) {
            assertThat(checkpoints.map(c -> c.getFileName().toString())).singleElement().asString().startsWith("step-");
        }
    }

    @Test
    void chatWithStandardInputClosedEndsAtOnce() throws Exception {
        Path model = tmp.resolve("model");
        assertThat(Main.run("init", "--config", "custom", "--emb", "16", "--layers", "1", "--heads", "2", "--context", "32",
                "--out", model.toString())).isZero();
        Process p = start(tmp, "<&-", "chat", "--model", model.toString(), "--max-tokens", "4");
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.inputReader()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.errorReader()));
        boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        if (!ended) p.destroyForcibly();
        assertThat(ended).as("chat ended; it printed %s", out.getNow("")).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(err.get()).contains("jllm: standard input is closed: no messages to answer");
        assertThat(out.get()).isEmpty();
    }

    private static String read(BufferedReader r) {
        try (r) {
            StringBuilder s = new StringBuilder();
            char[] buf = new char[8192];
            for (int n; (n = r.read(buf)) > 0; ) s.append(buf, 0, n);
            return s.toString();
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }
}
