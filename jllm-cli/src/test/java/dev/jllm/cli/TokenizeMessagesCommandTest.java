package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.tokenizer.SharedTokenizers;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jllm tokenize --vocab DIR --messages FILE.json}: the model's chat template, rendered and encoded as transformers does. */
class TokenizeMessagesCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static String[] run(String... args) {
        return TokenizeCommandTest.run(args);
    }

    static JsonNode golden(String family, String name, boolean generationPrompt, Boolean thinking) throws Exception {
        try (InputStream in = getResource()) {
            for (JsonNode c : JSON.readTree(in).get("cases")) {
                if (c.get("family").asText().equals(family) && c.get("name").asText().equals(name)
                        && c.get("add_generation_prompt").asBoolean() == generationPrompt
                        && (thinking == null ? !c.has("enable_thinking") : c.path("enable_thinking").asBoolean(true) == thinking)) {
                    return c;
                }
            }
        }
        throw new AssertionError("no golden " + family + " " + name);
    }

    private static InputStream getResource() {
        return TokenizeMessagesCommandTest.class.getResourceAsStream("/dev/jllm/chat/chat_template_golden.json");
    }

    @Test
    void rendersTheConversationWithTheModelsTemplate(@TempDir Path dir) throws Exception {
        for (String family : new String[] {"llama3", "qwen3", "gemma3"}) {
            JsonNode c = golden(family, "system_multi", true, null);
            Path messages = Files.writeString(dir.resolve(family + ".json"), c.get("messages").toString());
            String[] r = run("tokenize", "--vocab", SharedTokenizers.dir(family).toString(), "--messages", messages.toString(), "--json");
            assertThat(r[2]).isEmpty();
            JsonNode out = JSON.readTree(r[1]);
            assertThat(out.get("text").asText()).isEqualTo(c.get("text").asText());
            assertThat(out.get("ids")).isEqualTo(c.get("ids"));
            assertThat(out.get("count").asInt()).isEqualTo(c.get("ids").size());
        }
    }

    @Test
    void generationPromptAndThinkingCanBeTurnedOff(@TempDir Path dir) throws Exception {
        String qwen = SharedTokenizers.dir("qwen3").toString();
        JsonNode noThinking = golden("qwen3", "thinking_history", true, false);
        Path messages = Files.writeString(dir.resolve("m.json"), noThinking.get("messages").toString());
        JsonNode out = JSON.readTree(run("tokenize", "--vocab", qwen, "--messages", messages.toString(), "--no-thinking", "--json")[1]);
        assertThat(out.get("text").asText()).isEqualTo(noThinking.get("text").asText()).endsWith("<think>\n\n</think>\n\n");
        JsonNode noPrompt = golden("qwen3", "thinking_history", false, null);
        out = JSON.readTree(run("tokenize", "--vocab", qwen, "--messages", messages.toString(), "--no-generation-prompt", "--json")[1]);
        assertThat(out.get("text").asText()).isEqualTo(noPrompt.get("text").asText());
    }

    @Test
    void errorsAreOneLine(@TempDir Path dir) throws Exception {
        String gemma = SharedTokenizers.dir("gemma3").toString();
        Path twoUsers = Files.writeString(dir.resolve("two.json"), "[{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"user\", \"content\": \"b\"}]");
        String[] r = run("tokenize", "--vocab", gemma, "--messages", twoUsers.toString());
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).isEqualTo("jllm: error: chat template: Conversation roles must alternate user/assistant/user/assistant/...\n");
        Path bad = Files.writeString(dir.resolve("bad.json"), "[{\"role\": \"user\"}]");
        assertThat(run("tokenize", "--vocab", gemma, "--messages", bad.toString())[2])
                .isEqualTo("jllm: error: " + bad + ": message 1 (user) has no \"content\" string or list\n");
        Path notJson = Files.writeString(dir.resolve("x.json"), "[{");
        assertThat(run("tokenize", "--vocab", gemma, "--messages", notJson.toString())[2]).startsWith("jllm: error: " + notJson + ": not valid JSON").hasLineCount(1);
        Path noTemplate = Files.createDirectories(dir.resolve("vocab"));
        Files.copy(SharedTokenizers.dir("llama3").resolve("tokenizer.json"), noTemplate.resolve("tokenizer.json"));
        Files.writeString(noTemplate.resolve("tokenizer_config.json"), "{\"chat_template\": \"{% for m in messages %}{{ m.content\"}");
        assertThat(run("tokenize", "--vocab", noTemplate.toString(), "--messages", twoUsers.toString())[2])
                .startsWith("jllm: error: " + noTemplate.resolve("tokenizer_config.json") + ": chat template, line 1:").hasLineCount(1);
    }
}
