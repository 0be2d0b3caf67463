package dev.jllm.serve;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.http.HttpRequest;

/**
 * Arbitrary request bodies (bytes, not only text) posted to the API of a running server with a tiny model: every
 * answer is a success or a 4xx in OpenAI's JSON error shape, never a 500, a hang or a dead server (Jazzer; see
 * RELIABILITY.md). Black-box through HTTP, so it follows the server as it changes.
 */
class RequestBodyFuzzTest {
    /** Started by the first input, once Jazzer's agent is in place: classes loaded before it are not instrumented. */
    private static JllmServer server;
    private static final String[] PATHS = {"/v1/completions", "/v1/chat/completions", "/v1/classify"};

    @FuzzTest(maxDuration = "10m")
    void fuzz(byte[] body) {
        if (body.length == 0) return;
        if (server == null) server = TestServers.start(TestServers.served(null, null), 2, 16, t -> {});
        String path = PATHS[(body[0] & 0xFF) % PATHS.length];
        HttpRequest request = HttpRequest.newBuilder(server.url().resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body, 1, body.length - 1)).build();
        TestServers.Reply reply = TestServers.send(request);
        if (reply.status() >= 500) {
            throw new AssertionError("HTTP " + reply.status() + " for " + path + ": " + reply.body());
        }
        if (reply.status() >= 400 && !reply.json().path("error").has("message")) {
            throw new AssertionError("HTTP " + reply.status() + " without OpenAI's error shape: " + reply.body());
        }
    }
}
