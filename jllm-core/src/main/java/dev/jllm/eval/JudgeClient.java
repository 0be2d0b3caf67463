package dev.jllm.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Asks a chat model one question at a time over HTTP, deterministically (temperature 0, a fixed seed).
 *
 * <p>Connection failures, timeouts and answers HTTP 429 or 5xx are retried ({@code retries} more times, waiting
 * {@code retryDelay}, then twice as long each time); when they persist, or the server answers another error or
 * something that is not the protocol's JSON, {@link #ask} throws {@link JudgeException} with a one-line reason.
 */
public final class JudgeClient {

    /** Raised when the judge cannot be reached or does not speak the protocol. */
    public static final class JudgeException extends RuntimeException {
        JudgeException(String message) {
            super(message);
        }
    }

    /**
     * @param url        the judge: a server address ({@code http://localhost:11434}) or a full endpoint
     * @param model      the judge model's name, e.g. {@code llama3}
     * @param api        protocol, or {@link JudgeApi#AUTO}
     * @param timeout    per request (and for connecting)
     * @param retries    extra attempts after a failed one
     * @param retryDelay wait before the first retry
     * @param seed       sampling seed sent with each request
     */
    public record Settings(URI url, String model, JudgeApi api, Duration timeout, int retries, Duration retryDelay,
                           long seed) {
        public Settings {
            if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https"))) {
                throw new IllegalArgumentException("judge URL must start with http:// or https://, got " + url);
            }
            if (model == null || model.isBlank()) throw new IllegalArgumentException("the judge model has no name");
            if (retries < 0) throw new IllegalArgumentException("retries must be 0 or more, got " + retries);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Settings settings;
    private final HttpClient http;
    private JudgeApi api; // resolved on the first successful call when AUTO
    private URI endpoint;

    public JudgeClient(Settings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
        JudgeApi named = settings.api() == JudgeApi.AUTO ? JudgeApi.fromPath(settings.url()) : settings.api();
        if (named != null) {
            this.api = named;
            this.endpoint = named.endpoint(settings.url());
        }
    }

    /** The protocol in use, or {@link JudgeApi#AUTO} before the first answer when it is still to be found. */
    public JudgeApi api() {
        return api == null ? JudgeApi.AUTO : api;
    }

    /** The judge's answer to one user message. */
    public String ask(String prompt) {
        if (api != null) return ask(api, endpoint, prompt, false);
        // A bare server address: Ollama first (the book's judge), then the OpenAI-compatible path.
        URI ollama = JudgeApi.OLLAMA.endpoint(settings.url());
        try {
            String answer = ask(JudgeApi.OLLAMA, ollama, prompt, true);
            api = JudgeApi.OLLAMA;
            endpoint = ollama;
            return answer;
        } catch (NotFound e) {
            URI openai = JudgeApi.OPENAI.endpoint(settings.url());
            try {
                String answer = ask(JudgeApi.OPENAI, openai, prompt, true);
                api = JudgeApi.OPENAI;
                endpoint = openai;
                return answer;
            } catch (NotFound again) {
                throw new JudgeException("judge at " + settings.url() + " has neither " + ollama.getPath() + " nor "
                        + openai.getPath() + " (HTTP 404); give the full endpoint URL or choose the API");
            }
        }
    }

    /** HTTP 404 or 405 while probing: the endpoint is not there. */
    private static final class NotFound extends RuntimeException {
        NotFound() {
            super(null, null, false, false);
        }
    }

    private String ask(JudgeApi protocol, URI uri, String prompt, boolean probing) {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(protocol, prompt)))
                .build();
        String lastProblem = null;
        long wait = settings.retryDelay().toMillis();
        for (int attempt = 0; attempt <= settings.retries(); attempt++) {
            if (attempt > 0) {
                sleep(wait);
                wait *= 2;
            }
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (java.net.http.HttpTimeoutException e) {
                long ms = settings.timeout().toMillis();
                lastProblem = "no answer within " + (ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms");
                continue;
            } catch (java.net.ConnectException e) {
                lastProblem = "connection refused" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
                continue;
            } catch (IOException e) {
                lastProblem = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JudgeException("interrupted while waiting for the judge at " + uri);
            }
            int status = response.statusCode();
            if (status == 429 || status >= 500) {
                lastProblem = "HTTP " + status;
                continue;
            }
            if ((status == 404 || status == 405) && probing) {
                throw new NotFound();
            }
            if (status != 200) {
                throw new JudgeException("judge at " + uri + " answered HTTP " + status + ": " + firstLine(response.body()));
            }
            return content(protocol, uri, response.body());
        }
        throw new JudgeException("judge at " + uri + " unreachable after " + (settings.retries() + 1) + " attempts: "
                + lastProblem);
    }

    private String body(JudgeApi protocol, String prompt) {
        ObjectNode root = JSON.createObjectNode();
        root.put("model", settings.model());
        ObjectNode message = root.putArray("messages").addObject();
        message.put("role", "user");
        message.put("content", prompt);
        if (protocol == JudgeApi.OLLAMA) {
            // As the book's query_model: fixed seed, greedy, a 2,048-token window; one JSON answer, not a stream.
            root.put("stream", false);
            ObjectNode options = root.putObject("options");
            options.put("seed", settings.seed());
            options.put("temperature", 0);
            options.put("num_ctx", 2048);
        } else {
            root.put("temperature", 0);
            root.put("seed", settings.seed());
        }
        return root.toString();
    }

    private static String content(JudgeApi protocol, URI uri, String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new JudgeException("judge at " + uri + " did not answer JSON: " + firstLine(body));
        }
        JsonNode content = protocol == JudgeApi.OLLAMA
                ? root.path("message").path("content")
                : root.path("choices").path(0).path("message").path("content");
        if (!content.isTextual()) {
            String where = protocol == JudgeApi.OLLAMA ? "message.content" : "choices[0].message.content";
            throw new JudgeException("judge at " + uri + " answered JSON without " + where + ": " + firstLine(body));
        }
        return content.textValue();
    }

    private static String firstLine(String text) {
        String line = text == null ? "" : text.strip().lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JudgeException("interrupted while waiting to retry the judge");
        }
    }
}
