package dev.jllm.serve;

import static dev.jllm.serve.ServerApiTest.assertError;
import static dev.jllm.serve.TestServers.get;
import static dev.jllm.serve.TestServers.post;
import static dev.jllm.serve.TestServers.raw;
import static dev.jllm.serve.TestServers.rawBody;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.serve.TestServers.Reply;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Who may call the API (key, origin, host), what a body must be, and the fields this server refuses. */
class ServerAccessTest {
    static final String KEY = "sk-jllm-test-key";
    static JllmServer open;
    static JllmServer keyed;

    @BeforeAll
    static void start() {
        open = TestServers.start(TestServers.served(null, null), 2, 4, id -> {});
        keyed = TestServers.start(TestServers.served(null, null), new ServerOptions("127.0.0.1", 0, 2, 4, KEY), id -> {});
    }

    @AfterAll
    static void stop() {
        open.close();
        keyed.close();
    }

    private static final String COMPLETION = "{\"model\": \"tiny\", \"prompt\": \"Hi\", \"max_tokens\": 2}";

    private static Reply postWith(JllmServer server, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.url().resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return TestServers.send(b.build());
    }

    @Test
    void theApiKeyIsCheckedAsOpenAiClientsSendIt() throws Exception {
        Reply none = post(keyed, "/v1/completions", COMPLETION);
        assertError(none, 401, null, "invalid_api_key");
        assertThat(none.json().get("error").get("message").asText()).contains("Authorization: Bearer");
        assertError(postWith(keyed, "/v1/completions", COMPLETION, "Content-Type", "application/json",
                "Authorization", "Bearer sk-wrong"), 401, null, "invalid_api_key");
        assertError(postWith(keyed, "/v1/completions", COMPLETION, "Content-Type", "application/json",
                "Authorization", KEY), 401, null, "invalid_api_key"); // not as Bearer
        assertThat(postWith(keyed, "/v1/completions", COMPLETION, "Content-Type", "application/json",
                "Authorization", "Bearer " + KEY).status()).isEqualTo(200);
        // every API path, GETs too, and the header OpenAI's clients add
        assertError(get(keyed, "/v1/models"), 401, null, "invalid_api_key");
        HttpResponse<String> models = TestServers.HTTP.send(HttpRequest.newBuilder(keyed.url().resolve("/v1/models"))
                .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(models.statusCode()).isEqualTo(200);
        HttpResponse<String> refused = TestServers.HTTP.send(HttpRequest.newBuilder(keyed.url().resolve("/v1/models"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        // the page and health stay open; health tells the page to ask for the key
        assertThat(get(keyed, "/").status()).isEqualTo(200);
        assertThat(get(keyed, "/health").json().get("api_key_required").asBoolean()).isTrue();
        assertThat(get(open, "/health").json().get("api_key_required").asBoolean()).isFalse();
        assertThat(get(keyed, "/chat.js").body()).contains("Authorization").contains("api_key_required");
    }

    @Test
    void crossOriginRequestsAreRefused() {
        assertError(postWith(open, "/v1/completions", COMPLETION, "Content-Type", "application/json",
                "Origin", "https://evil.example"), 403, null, "cross_origin_forbidden");
        assertError(postWith(open, "/v1/completions", COMPLETION, "Content-Type", "application/json",
                "Origin", "null"), 403, null, "cross_origin_forbidden");
        assertError(postWith(open, "/v1/completions", COMPLETION, "Content-Type", "application/json",
                "Origin", "http://127.0.0.1:" + (open.port() == 1 ? 2 : open.port() - 1)), 403, null,
                "cross_origin_forbidden");
        assertError(postWith(open, "/v1/completions", COMPLETION, "Content-Type", "application/json",
                "Sec-Fetch-Site", "cross-site"), 403, null, "cross_origin_forbidden");
        // the chat page's own requests
        assertThat(postWith(open, "/v1/completions", COMPLETION, "Content-Type", "application/json",
                "Origin", "http://127.0.0.1:" + open.port(), "Sec-Fetch-Site", "same-origin").status()).isEqualTo(200);
    }

    @Test
    void aLoopbackServerAnswersOnlyToLocalHostNames() {
        String rebound = raw(open, "GET /v1/models HTTP/1.1\r\nHost: attacker.example:" + open.port()
                + "\r\nConnection: close\r\n\r\n");
        assertThat(rebound).startsWith("HTTP/1.1 403");
        assertThat(rebound).contains("host_not_allowed");
        for (String host : new String[] {"localhost", "127.0.0.1", "[::1]", "localhost:" + open.port()}) {
            assertThat(raw(open, "GET /v1/models HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"))
                    .as(host).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void apiBodiesMustBeJson() {
        for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}) {
            Reply r = postWith(open, "/v1/completions", COMPLETION, "Content-Type", type);
            assertError(r, 415, null, "unsupported_media_type");
        }
        assertError(postWith(open, "/v1/chat/completions", COMPLETION), 415, null, "unsupported_media_type");
        assertThat(postWith(open, "/v1/completions", COMPLETION, "Content-Type", "application/json; charset=utf-8")
                .status()).isEqualTo(200);
    }

    @Test
    void trailingGarbageAfterTheJsonIsRefused() {
        assertError(post(open, "/v1/completions", COMPLETION + " garbage"), 400, null, null);
        assertError(post(open, "/v1/completions", COMPLETION + "{}"), 400, null, null);
        assertThat(post(open, "/v1/completions", COMPLETION + " \n").status()).isEqualTo(200);
    }

    @Test
    void tooLargeAndMalformedBodiesGetOpenAiErrors() {
        Reply large = post(open, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"" + "x".repeat(1_100_000) + "\"}");
        assertError(large, 413, null, "request_too_large");

        String broken = raw(open, "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\n{\"mod\r\nzz\r\nel\"}\r\n0\r\n\r\n");
        assertThat(broken).startsWith("HTTP/1.1 400");
        assertThat(broken).contains("application/json");
        assertThat(rawBody(broken)).contains("\"error\"").contains("malformed_body");
    }

    @Test
    void unsupportedFieldsAreRefusedNotIgnored() {
        for (String field : new String[] {"\"echo\": true", "\"logprobs\": 3", "\"logprobs\": 0", "\"best_of\": 2",
                "\"suffix\": \"end\"", "\"presence_penalty\": 0.5", "\"frequency_penalty\": 1",
                "\"logit_bias\": {\"50256\": -100}"}) {
            Reply r = post(open, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"Hi\", " + field + "}");
            String param = field.substring(1, field.indexOf('"', 1));
            assertError(r, 400, param, "unsupported_parameter");
        }
        for (String field : new String[] {"\"logprobs\": true", "\"top_logprobs\": 2", "\"response_format\": "
                + "{\"type\": \"json_object\"}", "\"tools\": [{\"type\": \"function\"}]"}) {
            Reply r = post(open, "/v1/chat/completions", "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", "
                    + "\"content\": \"Hi\"}], " + field + "}");
            assertError(r, 400, field.substring(1, field.indexOf('"', 1)), "unsupported_parameter");
        }
        // the values that ask for nothing are fine
        assertThat(post(open, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"Hi\", \"max_tokens\": 2, "
                + "\"echo\": false, \"logprobs\": null, \"best_of\": 1, \"suffix\": null, \"presence_penalty\": 0}")
                .status()).isEqualTo(200);
        assertThat(post(open, "/v1/chat/completions", "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", "
                + "\"content\": \"Hi\"}], \"max_tokens\": 2, \"logprobs\": false, \"response_format\": "
                + "{\"type\": \"text\"}}").status()).isEqualTo(200);
    }

    @Test
    void beyondLoopbackWithoutAKeyIsALoudWarning() {
        assertThat(new ServerOptions("0.0.0.0", 8080, 1, 1).exposureWarning()).contains("WARNING")
                .contains("0.0.0.0").contains("--api-key");
        assertThat(new ServerOptions("0.0.0.0", 8080, 1, 1, "k").exposureWarning()).isNull();
        assertThat(new ServerOptions("127.0.0.1", 8080, 1, 1).exposureWarning()).isNull();
        assertThat(new ServerOptions("localhost", 8080, 1, 1).exposureWarning()).isNull();
        assertThat(new ServerOptions("::1", 8080, 1, 1).exposureWarning()).isNull();
    }
}
