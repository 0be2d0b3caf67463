package dev.jllm.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.prompt.PromptFormat;
import dev.jllm.prompt.ResponseExample;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JudgeTest {

    private static final List<ResponseExample> RESPONSES = List.of(
            new ResponseExample("Name a color.", "", "Blue.", "Red."),
            new ResponseExample("Add the numbers.", "2, 3", "5", "5"),
            new ResponseExample("Say hi.", "", "Hi.", "Hello."));

    /** The judge gives 95 to an exact answer, 15 otherwise, and "I cannot tell" to greetings. */
    private static String grade(String prompt) {
        if (prompt.contains("Say hi.")) return "I cannot tell";
        return prompt.contains("output `5`, score the model response `5`") ? " 95\n" : "15.";
    }

    private static JudgeClient client(URI url, JudgeApi api, int retries) {
        return new JudgeClient(new JudgeClient.Settings(url, "llama3", api, Duration.ofSeconds(5), retries,
                Duration.ofMillis(5), 123));
    }

    @Test
    void theBooksJudgePrompt() {
        assertThat(Judge.prompt(RESPONSES.get(1), PromptFormat.ALPACA)).isEqualTo(
                "Given the input `Below is an instruction that describes a task. Write a response that appropriately"
                        + " completes the request.\n\n### Instruction:\nAdd the numbers.\n\n### Input:\n2, 3` and correct"
                        + " output `5`, score the model response `5` on a scale from 0 to 100, where 100 is the best score."
                        + " Respond with the integer number only.");
    }

    @Test
    void scoresAreNumbersFrom0To100() {
        assertThat(Judge.parseScore(" 87\n")).hasValue(87);
        assertThat(Judge.parseScore("87.")).hasValue(87);
        assertThat(Judge.parseScore("72.5")).hasValue(72.5);
        assertThat(Judge.parseScore("100")).hasValue(100);
        assertThat(Judge.parseScore("101")).isEmpty();
        assertThat(Judge.parseScore("-3")).isEmpty();
        assertThat(Judge.parseScore("Score: 80")).isEmpty();
        assertThat(Judge.parseScore("")).isEmpty();
    }

    @Test
    void ollamaJudgeAveragesNumbersAndReportsTheRest() throws IOException {
        try (FakeJudge server = new FakeJudge(true, false, JudgeTest::grade)) {
            List<JudgeReport.Failure> seen = new ArrayList<>();
            JudgeClient c = client(URI.create(server.base() + "/api/chat"), JudgeApi.AUTO, 0);
            JudgeReport r = new Judge(c, PromptFormat.ALPACA).score(RESPONSES, seen::add);
            assertThat(r.scored()).isEqualTo(2);
            assertThat(r.failed()).isEqualTo(1);
            assertThat(r.average()).isEqualTo(55);
            assertThat(r.histogram()).containsEntry("10-19", 1).containsEntry("90-100", 1).containsEntry("50-59", 0)
                    .hasSize(10);
            assertThat(seen).containsExactly(new JudgeReport.Failure(2, "I cannot tell"));
            assertThat(r.failures()).isEqualTo(seen);
            // The book's request: the model, one user message, seed 123, temperature 0, no streaming.
            var request = server.requests.getFirst();
            assertThat(request.get("model").asText()).isEqualTo("llama3");
            assertThat(request.get("stream").asBoolean()).isFalse();
            assertThat(request.at("/options/seed").asLong()).isEqualTo(123);
            assertThat(request.at("/options/temperature").asDouble()).isZero();
            assertThat(request.at("/messages/0/role").asText()).isEqualTo("user");
        }
    }

    @Test
    void openAiCompatibleJudge() throws IOException {
        try (FakeJudge server = new FakeJudge(false, true, JudgeTest::grade)) {
            JudgeClient c = client(URI.create(server.base() + "/v1"), JudgeApi.AUTO, 0);
            JudgeReport r = new Judge(c, PromptFormat.ALPACA).score(RESPONSES, f -> {});
            assertThat(r.average()).isEqualTo(55);
            assertThat(server.paths).containsOnly("/v1/chat/completions");
            assertThat(server.requests.getFirst().get("temperature").asDouble()).isZero();
            assertThat(server.requests.getFirst().get("seed").asLong()).isEqualTo(123);
        }
    }

    @Test
    void aBareAddressFindsTheApiByTrying() throws IOException {
        try (FakeJudge openai = new FakeJudge(false, true, p -> "50")) {
            JudgeClient c = client(openai.base(), JudgeApi.AUTO, 0);
            assertThat(c.ask("x")).isEqualTo("50");
            assertThat(c.api()).isEqualTo(JudgeApi.OPENAI);
            assertThat(c.ask("y")).isEqualTo("50");
            assertThat(openai.paths).containsExactly("/v1/chat/completions", "/v1/chat/completions");
        }
        try (FakeJudge ollama = new FakeJudge(true, false, p -> "60")) {
            JudgeClient c = client(ollama.base(), JudgeApi.AUTO, 0);
            assertThat(c.ask("x")).isEqualTo("60");
            assertThat(c.api()).isEqualTo(JudgeApi.OLLAMA);
        }
        try (FakeJudge both = new FakeJudge(true, true, p -> "70")) {
            JudgeClient c = client(both.base(), JudgeApi.OPENAI, 0);
            assertThat(c.ask("x")).isEqualTo("70");
            assertThat(both.paths).containsExactly("/v1/chat/completions");
        }
    }

    @Test
    void retriesBusyAnswersThenSucceeds() throws IOException {
        try (FakeJudge server = new FakeJudge(true, false, p -> "80")) {
            server.failFirst.set(2);
            assertThat(client(server.base(), JudgeApi.OLLAMA, 2).ask("x")).isEqualTo("80");
            assertThat(server.requests).hasSize(3);
        }
        try (FakeJudge server = new FakeJudge(true, false, p -> "80")) {
            server.failFirst.set(5);
            URI url = URI.create(server.base() + "/api/chat");
            assertThatThrownBy(() -> client(url, JudgeApi.OLLAMA, 1).ask("x"))
                    .isInstanceOf(JudgeClient.JudgeException.class)
                    .hasMessage("judge at " + url + " unreachable after 2 attempts: HTTP 503");
        }
    }

    @Test
    void aJudgeThatIsDownIsAClearError() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        URI url = URI.create("http://127.0.0.1:" + port + "/api/chat");
        assertThatThrownBy(() -> new Judge(client(url, JudgeApi.AUTO, 1), PromptFormat.ALPACA).score(RESPONSES, f -> {}))
                .isInstanceOf(JudgeClient.JudgeException.class)
                .hasMessageStartingWith("judge at " + url + " unreachable after 2 attempts: connection refused");
    }

    @Test
    void aJudgeThatDoesNotAnswerInTimeIsRetriedThenAnError() throws IOException {
        try (FakeJudge slow = new FakeJudge(true, false, p -> {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "50";
        })) {
            URI url = URI.create(slow.base() + "/api/chat");
            JudgeClient c = new JudgeClient(new JudgeClient.Settings(url, "m", JudgeApi.AUTO, Duration.ofMillis(300), 1,
                    Duration.ofMillis(5), 123));
            assertThatThrownBy(() -> c.ask("x")).hasMessage("judge at " + url + " unreachable after 2 attempts: no answer within 300 ms");
        }
    }

    @Test
    void aJudgeThatAnswersGarbage() throws IOException {
        try (FakeJudge html = FakeJudge.raw(200, "<html>hello</html>")) {
            URI url = URI.create(html.base() + "/api/chat");
            assertThatThrownBy(() -> client(url, JudgeApi.AUTO, 0).ask("x"))
                    .hasMessage("judge at " + url + " did not answer JSON: <html>hello</html>");
        }
        try (FakeJudge wrongJson = FakeJudge.raw(200, "{\"result\": 5}")) {
            URI url = URI.create(wrongJson.base() + "/v1/chat/completions");
            assertThatThrownBy(() -> client(url, JudgeApi.AUTO, 0).ask("x"))
                    .hasMessage("judge at " + url + " answered JSON without choices[0].message.content: {\"result\": 5}");
        }
        try (FakeJudge missing = FakeJudge.raw(404, "not found")) {
            assertThatThrownBy(() -> client(missing.base(), JudgeApi.AUTO, 0).ask("x"))
                    .hasMessageContaining("has neither /api/chat nor /v1/chat/completions");
            assertThat(missing.paths).containsExactly("/api/chat", "/v1/chat/completions");
        }
        try (FakeJudge words = new FakeJudge(true, false, p -> "Great answer!")) {
            assertThatThrownBy(() -> new Judge(client(words.base(), JudgeApi.OLLAMA, 0), PromptFormat.ALPACA)
                    .score(RESPONSES, f -> {}))
                    .hasMessage("the judge answered no score for any of the 3 responses (first answer: 'Great answer!')");
        }
    }

    @Test
    void histogramBucketsByTens() {
        JudgeReport r = JudgeReport.of(List.of(0.0, 9.5, 10.0, 99.0, 100.0), List.of());
        assertThat(r.histogram().keySet()).containsExactlyElementsOf(JudgeReport.buckets());
        assertThat(r.histogram().values()).containsExactly(2, 1, 0, 0, 0, 0, 0, 0, 0, 2);
        assertThat(r.average()).isEqualTo(43.7);
    }
}
