package dev.jllm.serve;

import static dev.jllm.serve.ServerApiTest.assertError;
import static dev.jllm.serve.TestServers.get;
import static dev.jllm.serve.TestServers.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jllm.serve.TestServers.Reply;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Many requests at once, the bounded queue, and clients that hang up. */
class ServerConcurrencyTest {

    private static String request(int i, boolean stream) {
        return """
                {"model": "tiny", "prompt": "Request number %d says", "max_tokens": 24, "temperature": 1.0,
                 "top_k": 40, "top_p": 0.95, "seed": %d, "stream": %s}""".formatted(i, 100 + i, stream);
    }

    private static String text(Reply reply) {
        if (!reply.contentType().startsWith("text/event-stream")) {
            return reply.json().get("choices").get(0).get("text").asText();
        }
        StringBuilder text = new StringBuilder();
        for (String e : reply.events()) {
            if (!e.equals("[DONE]")) text.append(ServerApiTest.read(e).get("choices").get(0).get("text").asText());
        }
        return text.toString();
    }

    @Test
    void tenRequestsAtOnceEachAnswerAsIfAlone() throws Exception {
        int n = 10;
        try (JllmServer server = TestServers.start(TestServers.served(null, null), 4, n, id -> {})) {
            List<String> alone = new ArrayList<>();
            for (int i = 0; i < n; i++) alone.add(text(post(server, "/v1/completions", request(i, false))));
            AtomicInteger peak = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            try (var pool = Executors.newFixedThreadPool(n)) {
                List<Future<Reply>> together = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    int k = i;
                    together.add(pool.submit(() -> {
                        go.await();
                        return post(server, "/v1/completions", request(k, k % 2 == 0)); // half of them streamed
                    }));
                }
                go.countDown();
                for (int i = 0; i < n; i++) {
                    Reply r = together.get(i).get(60, TimeUnit.SECONDS);
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                    assertThat(text(r)).as("request %d", i).isEqualTo(alone.get(i));
                }
            }
            assertThat(alone).doesNotHaveDuplicates();
            JsonNode health = get(server, "/health").json();
            assertThat(health.get("generating").asInt()).isZero();
            assertThat(health.get("queued").asInt()).isZero();
        }
    }

    @Test
    void aFullQueueAnswers503() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        // Every token waits for the release, so the first request holds the only slot.
        try (JllmServer server = TestServers.start(TestServers.served(null, null), 1, 1, id -> await(release))) {
            CompletableFuture<Reply> running = CompletableFuture.supplyAsync(
                    () -> post(server, "/v1/completions", request(1, false)));
            waitFor(server, h -> h.get("generating").asInt() == 1);
            CompletableFuture<Reply> queued = CompletableFuture.supplyAsync(
                    () -> post(server, "/v1/completions", request(2, true)));
            waitFor(server, h -> h.get("queued").asInt() == 1);

            Reply refused = post(server, "/v1/chat/completions",
                    "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
            assertError(refused, 503, null, "server_overloaded");
            assertThat(refused.json().get("error").get("message").asText()).contains("busy");

            release.countDown();
            assertThat(running.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(queued.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(post(server, "/v1/completions", request(3, false)).status()).isEqualTo(200);
        }
    }

    @Test
    void aClientThatHangsUpStopsItsGeneration() throws Exception {
        AtomicInteger tokens = new AtomicInteger();
        int maxTokens = 120;
        try (JllmServer server = TestServers.start(TestServers.served(null, null), 1, 1, id -> {
            tokens.incrementAndGet();
            sleep(25); // 120 tokens would take 3 s
        })) {
            String body = "{\"model\": \"tiny\", \"prompt\": \"Once upon a time\", \"max_tokens\": " + maxTokens
                    + ", \"temperature\": 1, \"seed\": 1, \"stream\": true}";
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                OutputStream out = socket.getOutputStream();
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                out.write(("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null && !line.startsWith("data: ")) {
                    // status line and headers
                }
                assertThat(line).as("first event").startsWith("data: {");
            } // hang up after the first chunk
            waitFor(server, h -> h.get("cancelled").asInt() == 1 && h.get("generating").asInt() == 0);
            assertThat(tokens.get()).isLessThan(maxTokens / 2);
            // the slot is free again
            assertThat(post(server, "/v1/completions", request(0, false)).status()).isEqualTo(200);
        }
    }

    /** Polls /health until it satisfies {@code condition} (10 s at most). */
    private static void waitFor(JllmServer server, Predicate<JsonNode> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode health = get(server, "/health").json();
        while (!condition.test(health)) {
            if (System.nanoTime() > deadline) throw new AssertionError("server never reached the state; last: " + health);
            Thread.sleep(10);
            health = get(server, "/health").json();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
