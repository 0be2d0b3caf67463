package dev.jllm.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.generate.BatchGenerator;
import dev.jllm.generate.GenerationOptions;
import dev.jllm.generate.Generator;
import dev.jllm.generate.TextStreamer;
import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import dev.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/** A tiny random GPT with GPT-2's tokenizer served on a free loopback port, and an HTTP client for it. */
final class TestServers {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Tokenizer TOKENIZER = Gpt2Tokenizer.builtIn();
    /** Context 128, width 16: a token takes well under a millisecond. */
    static final GptModel MODEL = model();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestServers() {}

    private static GptModel model() {
        GptModel m = GptModel.create(new GptConfig(GptConfig.GPT2_VOCAB, 128, 16, 2, 1, 0f, true, true), 7);
        m.eval();
        // Warm the kernels up first: a Vector API lane sum (Elementwise.dot) may round differently once C2 compiles
        // it, so a sampled token near a probability boundary could differ between a cold and a warm run. The tests
        // compare runs with each other, so they start warm and sample among the top 40 tokens (few boundaries).
        for (int i = 0; i < 3; i++) {
            new Generator(m, w -> {}).generate(new int[] {464}, GenerationOptions.greedy(127).withEndId(-1));
        }
        return m;
    }

    static ServedModel served(PromptFormat format, Classifier classifier) {
        return new ServedModel("tiny", MODEL, TOKENIZER, TOKENIZER.eotId(), format, classifier);
    }

    static JllmServer start(ServedModel served, int maxConcurrent, int queue, IntConsumer tokenHook) {
        return start(served, new ServerOptions("127.0.0.1", 0, maxConcurrent, queue), tokenHook);
    }

    static JllmServer start(ServedModel served, ServerOptions options, IntConsumer tokenHook) {
        return new JllmServer(served, options, tokenHook).start();
    }

    /** Top-k of the sampled requests in the tests. */
    static final int TOP_K = 40;

    /**
     * The text the model writes for {@code prompt} with top-k {@link #TOP_K} (ignored when greedy), generated
     * directly with the library's batched generator, alone: the reference for the server's answers (a seeded
     * request writes the same text alone or in any batch).
     */
    static String direct(String prompt, int maxTokens, float temperature, long seed, List<String> stops) {
        TextStreamer streamer = new TextStreamer(TOKENIZER, stops, piece -> {});
        BatchGenerator alone = new BatchGenerator(MODEL, BatchGenerator.Settings.of(1, MODEL.config.contextLength()));
        alone.submit(TOKENIZER.encode(prompt), new GenerationOptions(maxTokens, temperature, TOP_K, 1f, seed, true,
                TOKENIZER.eotId(), stops), streamer::onToken);
        while (alone.step() || alone.busy()) {
            // one sequence, one token per step
        }
        streamer.flush();
        return streamer.text();
    }

    record Reply(int status, String contentType, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }

        /** The {@code data:} payloads of a server-sent event stream, in order. */
        List<String> events() {
            List<String> data = new ArrayList<>();
            for (String event : body.split("\n\n")) {
                if (event.startsWith("data: ")) data.add(event.substring("data: ".length()));
            }
            return data;
        }
    }

    static Reply post(JllmServer server, String path, String body) {
        return send(HttpRequest.newBuilder(server.url().resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static Reply get(JllmServer server, String path) {
        return send(HttpRequest.newBuilder(server.url().resolve(path)).GET().build());
    }

    /**
     * Sends {@code request} as raw bytes (any header, any framing; it should say {@code Connection: close}) and
     * reads the answer until the server closes the connection.
     */
    static String raw(JllmServer server, String request) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The body of a raw HTTP/1.1 answer (after the blank line; chunked framing left as it is). */
    static String rawBody(String answer) {
        int i = answer.indexOf("\r\n\r\n");
        return i < 0 ? "" : answer.substring(i + 4);
    }

    static Reply send(HttpRequest request) {
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
