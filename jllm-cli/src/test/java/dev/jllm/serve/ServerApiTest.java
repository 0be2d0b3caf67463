package dev.jllm.serve;

import static dev.jllm.serve.TestServers.JSON;
import static dev.jllm.serve.TestServers.TOKENIZER;
import static dev.jllm.serve.TestServers.direct;
import static dev.jllm.serve.TestServers.get;
import static dev.jllm.serve.TestServers.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.serve.TestServers.Reply;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every endpoint over real HTTP on loopback, answers compared with generating directly. */
class ServerApiTest {
    static JllmServer server;

    @BeforeAll
    static void start() {
        server = TestServers.start(TestServers.served(null, null), 2, 4, id -> {});
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void healthModelsAndThePage() {
        JsonNode health = get(server, "/health").json();
        assertThat(health.get("status").asText()).isEqualTo("ok");
        assertThat(health.get("model").asText()).isEqualTo("tiny");
        assertThat(health.get("classifier").asBoolean()).isFalse();
        assertThat(health.get("max_concurrent").asInt()).isEqualTo(2);

        JsonNode models = get(server, "/v1/models").json();
        assertThat(models.get("object").asText()).isEqualTo("list");
        assertThat(models.get("data")).hasSize(1);
        assertThat(models.get("data").get(0).get("id").asText()).isEqualTo("tiny");
        assertThat(models.get("data").get(0).get("object").asText()).isEqualTo("model");
        assertThat(get(server, "/v1/models/tiny").json().get("id").asText()).isEqualTo("tiny");
        assertThat(get(server, "/v1/models/gpt-4").status()).isEqualTo(404);

        Reply page = get(server, "/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.body()).contains("<title>jllm chat</title>").contains("chat.js");
        Reply script = get(server, "/chat.js");
        assertThat(script.status()).isEqualTo(200);
        assertThat(script.body()).contains("/v1/chat/completions").contains("AbortController").contains("getReader");
        assertThat(get(server, "/chat.css").status()).isEqualTo(200);
    }

    @Test
    void completionMatchesDirectGeneration() {
        String prompt = "Every effort moves you";
        JsonNode r = post(server, "/v1/completions", """
                {"model": "tiny", "prompt": "Every effort moves you", "max_tokens": 12, "temperature": 0.9, "seed": 5, "top_k": 40}
                """).json();
        assertThat(r.get("object").asText()).isEqualTo("text_completion");
        assertThat(r.get("id").asText()).startsWith("cmpl-");
        assertThat(r.get("model").asText()).isEqualTo("tiny");
        JsonNode choice = r.get("choices").get(0);
        assertThat(choice.get("text").asText()).isEqualTo(direct(prompt, 12, 0.9f, 5, List.of()));
        assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
        JsonNode usage = r.get("usage");
        assertThat(usage.get("prompt_tokens").asInt()).isEqualTo(TOKENIZER.encode(prompt).length);
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(12);
        assertThat(usage.get("total_tokens").asInt()).isEqualTo(12 + TOKENIZER.encode(prompt).length);

        // the default is OpenAI's 16 tokens; token ids are a prompt too
        JsonNode ids = post(server, "/v1/completions", """
                {"model": "tiny", "prompt": [464, 3139], "temperature": 0}
                """).json();
        assertThat(ids.get("usage").get("prompt_tokens").asInt()).isEqualTo(2);
        assertThat(ids.get("usage").get("completion_tokens").asInt()).isEqualTo(16);
        assertThat(ids.get("choices").get(0).get("text").asText()).isEqualTo(direct(TOKENIZER.decode(new int[] {464, 3139}),
                16, 0f, 0, List.of()));
    }

    @Test
    void stopStringsCutTheTextAndFinishWithStop() {
        String free = direct("Hello", 30, 1f, 3, List.of());
        String stop = free.substring(10, 13);
        String expected = free.substring(0, free.indexOf(stop));
        for (String field : new String[] {"\"" + jsonEscape(stop) + "\"", "[\"" + jsonEscape(stop) + "\", \"zzzz\"]"}) {
            JsonNode r = post(server, "/v1/completions", """
                    {"model": "tiny", "prompt": "Hello", "max_tokens": 30, "seed": 3, "top_k": 40, "stop": %s}
                    """.formatted(field)).json();
            assertThat(r.get("choices").get(0).get("text").asText()).isEqualTo(expected);
            assertThat(r.get("choices").get(0).get("finish_reason").asText()).isEqualTo("stop");
        }
    }

    @Test
    void chatJoinsMessagesForABaseModel() {
        JsonNode r = post(server, "/v1/chat/completions", """
                {"model": "tiny", "messages": [{"role": "system", "content": "Be brief."},
                 {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"},
                 {"role": "user", "content": [{"type": "text", "text": "How are you?"}]}],
                 "max_tokens": 8, "temperature": 0.7, "seed": 9, "top_k": 40}
                """).json();
        assertThat(r.get("object").asText()).isEqualTo("chat.completion");
        assertThat(r.get("id").asText()).startsWith("chatcmpl-");
        JsonNode message = r.get("choices").get(0).get("message");
        assertThat(message.get("role").asText()).isEqualTo("assistant");
        String prompt = "Be brief.\n\nHi\nHello\nHow are you?";
        assertThat(message.get("content").asText()).isEqualTo(direct(prompt, 8, 0.7f, 9, List.of()));
        assertThat(r.get("usage").get("prompt_tokens").asInt()).isEqualTo(TOKENIZER.encode(prompt).length);
        assertThat(r.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
    }

    @Test
    void chatUsesTheInstructionFormatOfAFinetunedModel() {
        try (JllmServer alpaca = TestServers.start(TestServers.served(PromptFormat.ALPACA, null), 1, 1, id -> {})) {
            JsonNode r = post(alpaca, "/v1/chat/completions", """
                    {"model": "tiny", "messages": [{"role": "user", "content": "Name a color."}], "max_tokens": 6,
                     "temperature": 0}
                    """).json();
            String prompt = PromptFormat.ALPACA.prompt(new dev.jllm.prompt.InstructionExample("Name a color.", "", ""))
                    + PromptFormat.ALPACA.responseHeader();
            assertThat(r.get("choices").get(0).get("message").get("content").asText())
                    .isEqualTo(direct(prompt, 6, 0f, 0, List.of()));
            assertThat(r.get("usage").get("prompt_tokens").asInt()).isEqualTo(TOKENIZER.encode(prompt).length);
        }
    }

    @Test
    void streamedCompletionIsTheSameTextInChunks() {
        String body = """
                {"model": "tiny", "prompt": "The sun", "max_tokens": 20, "seed": 11, "top_k": 40, "stream": true,
                 "stream_options": {"include_usage": true}}""";
        Reply reply = post(server, "/v1/completions", body);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("text/event-stream");
        List<String> events = reply.events();
        assertThat(events.getLast()).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        String finish = null;
        JsonNode usage = null;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode chunk = read(e);
            assertThat(chunk.get("object").asText()).isEqualTo("text_completion");
            if (chunk.has("usage")) {
                usage = chunk.get("usage");
                continue;
            }
            JsonNode choice = chunk.get("choices").get(0);
            text.append(choice.get("text").asText());
            if (!choice.get("finish_reason").isNull()) finish = choice.get("finish_reason").asText();
        }
        assertThat(events.size()).isGreaterThan(5); // arrived piece by piece
        assertThat(text.toString()).isEqualTo(direct("The sun", 20, 1f, 11, List.of()));
        assertThat(finish).isEqualTo("length");
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(20);
    }

    @Test
    void streamedChatSendsTheRoleThenDeltas() {
        List<String> events = post(server, "/v1/chat/completions", """
                {"model": "tiny", "messages": [{"role": "user", "content": "Tell me"}], "max_tokens": 10, "seed": 2,
                 "top_k": 40, "stream": true}""").events();
        assertThat(events.getLast()).isEqualTo("[DONE]");
        JsonNode first = read(events.getFirst());
        assertThat(first.get("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(first.get("choices").get(0).get("delta").get("role").asText()).isEqualTo("assistant");
        StringBuilder text = new StringBuilder();
        for (String e : events.subList(1, events.size() - 2)) {
            JsonNode choice = read(e).get("choices").get(0);
            assertThat(choice.get("finish_reason").isNull()).isTrue();
            text.append(choice.get("delta").get("content").asText());
        }
        JsonNode last = read(events.get(events.size() - 2)).get("choices").get(0);
        assertThat(last.get("finish_reason").asText()).isEqualTo("length");
        assertThat(last.get("delta").isEmpty()).isTrue();
        assertThat(text.toString()).isEqualTo(direct("Tell me", 10, 1f, 2, List.of()));
    }

    @Test
    void badRequestsGetOpenAiErrors() {
        assertError(post(server, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": "), 400, null, null);
        assertError(post(server, "/v1/completions", "[1, 2]"), 400, null, null);
        assertError(post(server, "/v1/completions", "{\"prompt\": \"x\"}"), 400, "model", null);
        assertError(post(server, "/v1/completions", "{\"model\": \"tiny\"}"), 400, "prompt", null);
        assertError(post(server, "/v1/chat/completions", "{\"model\": \"tiny\"}"), 400, "messages", null);
        assertError(post(server, "/v1/chat/completions", "{\"model\": \"tiny\", \"messages\": []}"), 400, "messages", null);
        assertError(post(server, "/v1/chat/completions", "{\"model\": \"tiny\", \"messages\": [{\"role\": \"robot\"}]}"),
                400, "messages[0].role", null);
        assertError(post(server, "/v1/completions", "{\"model\": \"gpt-4\", \"prompt\": \"x\"}"), 404, "model",
                "model_not_found");
        String longPrompt = "word ".repeat(200);
        assertError(post(server, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"" + longPrompt + "\"}"), 400,
                "prompt", "context_length_exceeded");
        assertError(post(server, "/v1/chat/completions", "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", "
                + "\"content\": \"" + longPrompt + "\"}]}"), 400, "messages", "context_length_exceeded");
        for (String max : new String[] {"0", "-3", "129"}) {
            Reply r = post(server, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"x\", \"max_tokens\": " + max + "}");
            assertError(r, 400, "max_tokens", null);
            assertThat(r.json().get("error").get("message").asText()).contains("between 1 and 128");
        }
        assertError(post(server, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"x\", \"max_tokens\": \"5\"}"),
                400, "max_tokens", "invalid_type");
        assertError(post(server, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"x\", \"n\": 2}"), 400, "n", null);
        assertError(post(server, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"x\", \"temperature\": 2.5}"),
                400, "temperature", null);
        assertError(post(server, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"x\", \"top_p\": 0}"),
                400, "top_p", null);
        assertError(post(server, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"x\", \"stop\": 3}"),
                400, "stop", "invalid_type");
        assertError(post(server, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": [1, 99999]}"), 400, "prompt", null);
        assertError(get(server, "/v2/nothing"), 404, null, "unknown_url");
        assertError(get(server, "/v1/completions"), 405, null, "method_not_allowed");
    }

    @Test
    void classifyOnAGeneratorIsAClearError() {
        Reply r = post(server, "/v1/classify", "{\"input\": \"free money!!!\"}");
        assertError(r, 400, "model", "model_not_classifier");
        assertThat(r.json().get("error").get("message").asText()).isEqualTo("model 'tiny' is not a classifier");
    }

    @Test
    void classifyAnswersTheLabelAndProbabilities() {
        Classifier spam = text -> {
            double p = text.contains("free") ? 0.9 : 0.2;
            Map<String, Double> probabilities = new LinkedHashMap<>();
            probabilities.put("not spam", 1 - p);
            probabilities.put("spam", p);
            return new Classifier.Classification(p > 0.5 ? "spam" : "not spam", probabilities);
        };
        try (JllmServer classifier = TestServers.start(TestServers.served(null, spam), 1, 1, id -> {})) {
            JsonNode r = post(classifier, "/v1/classify", "{\"model\": \"tiny\", \"input\": \"free money!!!\"}").json();
            assertThat(r.get("label").asText()).isEqualTo("spam");
            assertThat(r.get("probabilities").get("spam").asDouble()).isEqualTo(0.9);
            assertThat(r.get("probabilities").get("not spam").asDouble()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(get(classifier, "/health").json().get("classifier").asBoolean()).isTrue();
            assertError(post(classifier, "/v1/classify", "{}"), 400, "input", null);
            assertError(post(classifier, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"x\"}"), 400, "model",
                    "model_is_classifier");
        }
    }

    static void assertError(Reply r, int status, String param, String code) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode error = r.json().get("error");
        assertThat(error).as(r.body()).isNotNull();
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("type").asText()).isNotBlank();
        assertThat(error.has("param") && error.has("code")).isTrue();
        if (param != null) assertThat(error.get("param").asText()).as(r.body()).isEqualTo(param);
        if (code != null) assertThat(error.get("code").asText()).as(r.body()).isEqualTo(code);
    }

    static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String jsonEscape(String s) {
        try {
            String quoted = JSON.writeValueAsString(s);
            return quoted.substring(1, quoted.length() - 1);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
