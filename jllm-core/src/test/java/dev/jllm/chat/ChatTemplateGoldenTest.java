package dev.jllm.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.tokenizer.HfTokenizer;
import dev.jllm.tokenizer.SharedTokenizers;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real chat templates of Llama 3, Qwen3 and Gemma 3 render exactly as transformers' apply_chat_template
 * (Jinja2) renders them, and tokenize to the same ids (goldens from tools/reference/chat_template_golden.py).
 */
class ChatTemplateGoldenTest {

    static List<JsonNode> cases(String family) throws Exception {
        try (InputStream in = ChatTemplateGoldenTest.class.getResourceAsStream("chat_template_golden.json")) {
            List<JsonNode> out = new ArrayList<>();
            for (JsonNode c : new ObjectMapper().readTree(in).get("cases")) if (c.get("family").asText().equals(family)) out.add(c);
            return out;
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> messages(JsonNode c) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonNode m : c.get("messages")) out.add(new ObjectMapper().convertValue(m, LinkedHashMap.class));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3", "gemma3"})
    void rendersAndTokenizesAsTransformers(String family) throws Exception {
        ChatTemplate template = ChatTemplate.load(SharedTokenizers.dir(family));
        HfTokenizer tokenizer = SharedTokenizers.get(family);
        List<JsonNode> cases = cases(family);
        assertThat(cases).hasSizeGreaterThanOrEqualTo(18);
        for (JsonNode c : cases) {
            Boolean thinking = c.has("enable_thinking") ? c.get("enable_thinking").asBoolean() : null;
            boolean generationPrompt = c.get("add_generation_prompt").asBoolean();
            String label = c.get("name").asText() + " gen=" + generationPrompt + " thinking=" + thinking;
            if (c.has("error")) {
                assertThatThrownBy(() -> template.render(messages(c), generationPrompt, thinking)).as(label)
                        .isInstanceOf(TemplateException.class).hasMessageContaining(c.get("error").asText());
                continue;
            }
            String text = template.render(messages(c), generationPrompt, thinking);
            assertThat(text).as(label).isEqualTo(c.get("text").asText());
            int[] ids = StreamSupport.stream(c.get("ids").spliterator(), false).mapToInt(JsonNode::asInt).toArray();
            assertThat(Arrays.toString(tokenizer.encodeWithSpecials(text))).as(label).isEqualTo(Arrays.toString(ids));
        }
    }
}
