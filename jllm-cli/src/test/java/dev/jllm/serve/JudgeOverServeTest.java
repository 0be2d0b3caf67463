package dev.jllm.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.eval.Judge;
import dev.jllm.eval.JudgeApi;
import dev.jllm.eval.JudgeClient;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.prompt.ResponseExample;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The instruction issue's judge client, pointed at jllm serve as an OpenAI-compatible judge. */
class JudgeOverServeTest {

    @Test
    void theJudgeClientFindsTheOpenAiApiAndGetsTheGreedyAnswer() {
        try (JllmServer server = TestServers.start(TestServers.served(null, null), 1, 2, id -> {})) {
            // A bare server address: the client probes Ollama's /api/chat (404 here), then /v1/chat/completions.
            JudgeClient client = new JudgeClient(new JudgeClient.Settings(server.url(), "tiny", JudgeApi.AUTO,
                    Duration.ofSeconds(60), 0, Duration.ofMillis(100), 123));
            String prompt = Judge.prompt(new ResponseExample("Name a color.", "", "Blue.", "Red."), PromptFormat.ALPACA);
            String answer = client.ask(prompt);
            assertThat(client.api()).isEqualTo(JudgeApi.OPENAI);
            // temperature 0 and no max_tokens: the greedy reply, up to the end of the context
            int promptTokens = TestServers.TOKENIZER.encode(prompt).length;
            assertThat(answer).isEqualTo(TestServers.direct(prompt, 128 - promptTokens, 0f, 0, List.of()));
            assertThat(client.ask(prompt)).isEqualTo(answer);
        }
    }
}
