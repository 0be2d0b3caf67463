package dev.jllm.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/**
 * Real clients against an in-process server: the official {@code openai} npm package, and the chat page in headless
 * Chromium (streamed reply, Stop button, screenshot in target/e2e/). They need node, {@code npm ci} in tools/e2e
 * and Chromium; without them the tests are skipped, unless {@code JLLM_E2E_REQUIRED=1} (set by .ci/run) makes
 * that a failure.
 */
class RealClientsTest {
    static final Path E2E = Path.of("../tools/e2e");
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    @BeforeAll
    static void needsNodeAndChromium() {
        String missing = null;
        if (!commandWorks("node", "--version")) missing = "node is not installed";
        else if (!Files.isDirectory(E2E.resolve("node_modules/openai"))
                || !Files.isDirectory(E2E.resolve("node_modules/playwright-core"))) {
            missing = "tools/e2e/node_modules is missing (run 'npm ci' in tools/e2e)";
        } else if (!Files.isExecutable(CHROMIUM)) {
            missing = "no Chromium at " + CHROMIUM + " (apt-get install chromium, or set CHROMIUM)";
        }
        if (missing == null) return;
        if ("1".equals(System.getenv("JLLM_E2E_REQUIRED"))) throw new AssertionError("end-to-end clients: " + missing);
        throw new TestAbortedException("skipped: " + missing);
    }

    @Test
    void theOpenAiPackageSendsItsKeyToAServerThatNeedsOne() throws Exception {
        String key = "sk-e2e-" + System.nanoTime();
        try (JllmServer server = TestServers.start(TestServers.served(null, null),
                new ServerOptions("127.0.0.1", 0, 2, 4, key), id -> {})) {
            String out = node("openai-client.mjs", server.url() + "/v1", "tiny", key);
            assertThat(out).contains("openai-client: OK");
        }
    }

    @Test
    void theOpenAiPackageCompletesAndStreamsAChat() throws Exception {
        try (JllmServer server = TestServers.start(TestServers.served(null, null), 2, 4, id -> {})) {
            String out = node("openai-client.mjs", server.url() + "/v1", "tiny");
            assertThat(out).contains("openai-client: OK");
        }
    }

    @Test
    void theChatPageStreamsAReplyAndItsStopButtonWorks() throws Exception {
        Path screenshot = Path.of("target/e2e/chat-page-junit.png");
        Files.createDirectories(screenshot.getParent());
        Files.deleteIfExists(screenshot);
        // 10 ms a token: a 120-token reply lasts long enough for the Stop button.
        // With an API key: the page asks for it, shows a wrong one's refusal, then chats with the right one.
        String key = "sk-page-" + System.nanoTime();
        try (JllmServer server = TestServers.start(TestServers.served(null, null),
                new ServerOptions("127.0.0.1", 0, 2, 4, key), id -> sleep(10))) {
            String out = node("chat-page.mjs", server.url() + "/", screenshot.toString(), "--stop", "--api-key", key);
            assertThat(out).contains("chat-page: OK").contains("\"stopped\":\"aborted\"");
            assertThat(screenshot).isNotEmptyFile();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (TestServers.get(server, "/health").json().get("cancelled").asInt() == 0) {
                assertThat(System.nanoTime()).as("Stop cancels the generation on the server").isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }

    @Test
    void theChatPageShowsAClassifiersAnswer() throws Exception {
        Path screenshot = Path.of("target/e2e/chat-page-classifier.png");
        Files.createDirectories(screenshot.getParent());
        Map<String, Double> probabilities = new LinkedHashMap<>();
        probabilities.put("spam", 0.75);
        probabilities.put("not spam", 0.25);
        Classifier spam = text -> new Classifier.Classification("spam", probabilities);
        try (JllmServer server = TestServers.start(TestServers.served(null, spam), 1, 1, id -> {})) {
            String out = node("chat-page.mjs", server.url() + "/", screenshot.toString(), "--classify");
            assertThat(out).contains("chat-page: OK").contains("\"label\":\"spam\"").contains("spam 75.0%");
        }
    }

    private static String node(String script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", E2E.resolve(script).toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done) p.destroyForcibly();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(done).as("%s finished within 120 s; output:%n%s", script, out).isTrue();
        assertThat(p.exitValue()).as("%s exit code; output:%n%s", script, out).isZero();
        return out;
    }

    private static boolean commandWorks(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
