package dev.jllm.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.chat.ChatTemplate;
import dev.jllm.generate.GenerationOptions;
import dev.jllm.generate.Generator;
import dev.jllm.generate.TextStreamer;
import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.tokenizer.HfTokenizer;
import dev.jllm.tokenizer.SharedTokenizers;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/chat/completions} on a model folder with a chat template (Qwen3's files, a tiny random GPT of its
 * vocabulary size): the messages are rendered with the template and the reply is what greedy decoding of the
 * template's ids writes, stopping at the template's end-of-turn tokens.
 */
class ServeChatTemplateTest {

    @Test
    void chatMessagesGoThroughTheModelsTemplate() throws Exception {
        HfTokenizer tok = SharedTokenizers.get("qwen3");
        ChatTemplate template = ChatTemplate.load(SharedTokenizers.dir("qwen3"));
        GptModel model = GptModel.create(new GptConfig(tok.vocabSize(), 128, 16, 2, 1, 0f, true, true), 11);
        model.eval();
        ServedModel served = new ServedModel("qwen-tiny", model, tok, tok.eotId(), null, null, template);
        assertThat(served.endTokenTexts()).contains("<|endoftext|>").doesNotContain("<|im_end|>");

        String text = template.render(List.of(ChatTemplate.message("system", "Be brief."), ChatTemplate.message("user", "Hi!")),
                true, null);
        assertThat(text).isEqualTo("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n");
        TextStreamer streamer = new TextStreamer(tok, served.endTokenTexts(), piece -> {});
        new Generator(model, w -> {}).generate(tok.encodeWithSpecials(text),
                GenerationOptions.greedy(5).withEndId(tok.eotId()), streamer);
        streamer.flush();

        try (JllmServer server = TestServers.start(served, 1, 4, id -> {})) {
            TestServers.Reply r = TestServers.post(server, "/v1/chat/completions", """
                    {"model": "qwen-tiny", "max_tokens": 5, "temperature": 0,
                     "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi!"}]}""");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().path("choices").get(0).path("message").path("content").asText()).isEqualTo(streamer.text());
            assertThat(r.json().path("usage").path("prompt_tokens").asInt()).isEqualTo(tok.encodeWithSpecials(text).length);
        }
    }
}
