package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.jllm.prompt.InstructionJson;
import dev.jllm.prompt.ResponseExample;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateCommandTest {

    @TempDir
    Path dir;

    private Path responses;
    private HttpServer ollama;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws IOException {
        responses = dir.resolve("responses.json");
        InstructionJson.writeResponses(responses, List.of(
                new ResponseExample("Name a color.", "", "Blue.", "Blue."),
                new ResponseExample("Add the numbers.", "2, 3", "The sum is 5.", "It is 5."),
                new ResponseExample("Say hi.", "", "Hi.", "Hello.")));
        // An Ollama judge on 127.0.0.1 that scores by the response it is shown.
        ollama = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        ollama.createContext("/api/chat", ex -> {
            String prompt = new ObjectMapper().readTree(ex.getRequestBody()).at("/messages/0/content").asText();
            String answer = prompt.contains("response `Blue.`") ? "100" : prompt.contains("response `It is 5.`") ? "70" : "no idea";
            byte[] body = ("{\"message\": {\"role\": \"assistant\", \"content\": \"" + answer + "\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        ollama.start();
    }

    @AfterEach
    void tearDown() {
        ollama.stop(0);
    }

    private int run(String... args) {
        return CliHarness.execute(out, err, args);
    }

    private String judgeUrl() {
        return "http://127.0.0.1:" + ollama.getAddress().getPort();
    }

    @Test
    void judgeJsonReport() throws IOException {
        assertThat(run("evaluate", "--responses", responses.toString(), "--judge", judgeUrl(), "--judge-model", "llama3",
                "--json")).isZero();
        JsonNode report = new ObjectMapper().readTree(out.toString());
        assertThat(report.get("average").asDouble()).isEqualTo(85);
        assertThat(report.get("scored").asInt()).isEqualTo(2);
        assertThat(report.get("failed").asInt()).isEqualTo(1);
        assertThat(report.at("/histogram/70-79").asInt()).isEqualTo(1);
        assertThat(report.at("/histogram/90-100").asInt()).isEqualTo(1);
        assertThat(err.toString()).contains("entry 2: the judge answered 'no idea', not a score from 0 to 100; left out");
    }

    @Test
    void judgeTextReport() {
        assertThat(run("evaluate", "--responses", responses.toString(), "--judge", judgeUrl() + "/api/chat",
                "--judge-model", "llama3")).isZero();
        assertThat(out.toString()).contains("judge llama3 (ollama at ").contains("2 scored, 1 without a score")
                .contains("average score 85.00").containsPattern("90-100 +1 #+");
    }

    @Test
    void withoutAJudgeExactMatchAndRougeL() throws IOException {
        assertThat(run("evaluate", "--responses", responses.toString(), "--json")).isZero();
        JsonNode report = new ObjectMapper().readTree(out.toString());
        assertThat(report.get("responses").asInt()).isEqualTo(3);
        assertThat(report.get("exact_match").asDouble()).isEqualTo(1.0 / 3);
        // "It is 5." vs "The sum is 5.": LCS 2 ("is", "5."), P 2/3, R 2/4, F 4/7.
        assertThat(report.get("rouge_l").asDouble()).isCloseTo((1 + 4.0 / 7) / 3, org.assertj.core.api.Assertions.within(1e-12));
    }

    @Test
    void withAModelAlsoItsLossOnTheReferenceOutputs() throws IOException {
        Path model = dir.resolve("tiny");
        assertThat(run("init", "--config", "custom", "--emb", "16", "--layers", "1", "--heads", "2", "--context", "128",
                "--out", model.toString())).isZero();
        out.getBuffer().setLength(0);
        assertThat(run("evaluate", "--responses", responses.toString(), "--model", model.toString(), "--json"))
                .as(err.toString()).isZero();
        JsonNode report = new ObjectMapper().readTree(out.toString());
        // a random model over 50,257 tokens: about ln(50257) = 10.8 per token
        assertThat(report.get("loss").asDouble()).isBetween(9.0, 12.5);
        assertThat(report.get("perplexity").asDouble()).isCloseTo(Math.exp(report.get("loss").asDouble()),
                org.assertj.core.api.Assertions.within(1e-6 * report.get("perplexity").asDouble()));
    }

    @Test
    void errorsAreOneLine() throws IOException {
        ollama.stop(0);
        assertThat(run("evaluate", "--responses", responses.toString(), "--judge", judgeUrl() + "/api/chat",
                "--judge-model", "m", "--retries", "0")).isEqualTo(1);
        assertThat(err.toString().strip()).startsWith("jllm: error: judge at ").contains("unreachable after 1 attempts")
                .doesNotContain("\n");
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "[{\"instruction\": \"x\", \"output\": \"y\"}]");
        err.getBuffer().setLength(0);
        assertThat(run("evaluate", "--responses", bad.toString())).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("jllm: error: " + bad + ": entry 0 has no \"model_response\"");
        err.getBuffer().setLength(0);
        assertThat(run("evaluate", "--responses", responses.toString(), "--judge", judgeUrl())).isNotZero();
        assertThat(err.toString()).contains("--judge needs --judge-model NAME");
    }
}
