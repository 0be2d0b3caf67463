package dev.jllm.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A judge server on 127.0.0.1 for tests: answers Ollama's /api/chat and/or /v1/chat/completions with whatever
 * {@code answer} says for each prompt, records the requests, and can fail its first few requests with HTTP 503.
 */
final class FakeJudge implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final HttpServer server;
    final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    final List<String> paths = new CopyOnWriteArrayList<>();
    final AtomicInteger failFirst = new AtomicInteger();

    /** An Ollama server, an OpenAI-compatible server, or both, answering {@code answer.apply(prompt)}. */
    FakeJudge(boolean ollama, boolean openai, Function<String, String> answer) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        if (ollama) {
            server.createContext("/api/chat", ex -> handle(ex, answer, content ->
                    JSON.createObjectNode().put("model", "judge").put("done", true)
                            .set("message", JSON.createObjectNode().put("role", "assistant").put("content", content))));
        }
        if (openai) {
            server.createContext("/v1/chat/completions", ex -> handle(ex, answer, content -> {
                var root = JSON.createObjectNode().put("object", "chat.completion");
                root.putArray("choices").addObject().put("index", 0)
                        .set("message", JSON.createObjectNode().put("role", "assistant").put("content", content));
                return root;
            }));
        }
        server.start();
    }

    /** A server that answers every request with this status and body, whatever the path. */
    static FakeJudge raw(int status, String body) throws IOException {
        FakeJudge j = new FakeJudge(false, false, p -> "");
        j.server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            j.paths.add(ex.getRequestURI().getPath());
            send(ex, status, body);
        });
        return j;
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange ex, Function<String, String> answer, Function<String, JsonNode> wrap) throws IOException {
        JsonNode request = JSON.readTree(ex.getRequestBody());
        paths.add(ex.getRequestURI().getPath());
        requests.add(request);
        if (failFirst.getAndDecrement() > 0) {
            send(ex, 503, "busy");
            return;
        }
        String prompt = request.path("messages").path(0).path("content").asText();
        send(ex, 200, wrap.apply(answer.apply(prompt)).toString());
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
