package dev.jllm.finetune.instruct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.model.Perplexity;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.prompt.ResponseExample;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseLossTest {

    @Test
    void scoresTheResponsesAloneWhateverTheBatching() {
        GptModel model = GptModel.create(new GptConfig(GptConfig.GPT2_VOCAB, 128, 16, 2, 1, 0f, true, true), 4);
        Gpt2Tokenizer tok = Gpt2Tokenizer.builtIn();
        List<ResponseExample> entries = List.of(
                new ResponseExample("Name a color.", "", "Blue.", "x"),
                new ResponseExample("Add the numbers.", "2, 3", "The sum of the numbers is 5.", "x"),
                new ResponseExample("Say hi.", "", "Hi there, how are you today?", "x"));
        Perplexity.Result batched = ResponseLoss.of(model, tok, PromptFormat.ALPACA, entries, 8);
        // Padding comes after each text, so a causal model scores every entry the same alone or in a batch.
        double sum = 0;
        long tokens = 0;
        for (ResponseExample e : entries) {
            Perplexity.Result one = ResponseLoss.of(model, tok, PromptFormat.ALPACA, List.of(e), 1);
            sum += one.loss() * one.tokens();
            tokens += one.tokens();
            // the response header's and the response's tokens, and the end token
            int prompt = tok.encode(PromptFormat.ALPACA.prompt(e)).length;
            assertThat(one.tokens()).isEqualTo(tok.encode(PromptFormat.ALPACA.withResponse(e, e.output())).length - prompt + 1);
        }
        assertThat(batched.tokens()).isEqualTo(tokens);
        assertThat(batched.loss()).isCloseTo(sum / tokens, within(1e-5));
        assertThat(batched.perplexity()).isCloseTo(Math.exp(batched.loss()), within(1e-9));
    }
}
