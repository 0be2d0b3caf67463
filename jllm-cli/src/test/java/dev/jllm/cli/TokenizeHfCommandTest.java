package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import dev.jllm.tokenizer.SharedTokenizers;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jllm tokenize} with tokenizer.json folders (ids from the tokenizers library's goldens) and --special-as-text. */
class TokenizeHfCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static String[] run(String... args) {
        return TokenizeCommandTest.run(args);
    }

    /** The golden case of {@code family} for {@code text}. */
    static JsonNode golden(String family, String text) throws Exception {
        try (InputStream in = Gpt2Tokenizer.class.getResourceAsStream("hf_golden_" + family + ".json")) {
            for (JsonNode c : JSON.readTree(in).get("cases")) {
                if (c.get("text").asText().equals(text)) return c;
            }
        }
        throw new AssertionError("no golden case " + text);
    }

    static JsonNode ids(String[] result) throws Exception {
        assertThat(result[2]).isEmpty();
        assertThat(result[0]).isEqualTo("0");
        return JSON.readTree(result[1]).get("ids");
    }

    @Test
    void encodesWithATokenizerJsonFolder() throws Exception {
        String llama = SharedTokenizers.dir("llama3").toString();
        String text = "Hello, world!";
        assertThat(ids(run("tokenize", "--vocab", llama, "--json", text))).isEqualTo(golden("llama3", text).get("ids"));
        String gemma = SharedTokenizers.dir("gemma3").toString();
        JsonNode g = golden("gemma3", text);
        assertThat(ids(run("tokenize", "--vocab", gemma, "--json", text))).isEqualTo(g.get("with_special"));
        assertThat(ids(run("tokenize", "--vocab", gemma, "--json", "--no-add-special-tokens", text))).isEqualTo(g.get("ids"));
    }

    @Test
    void specialAsTextStillMatchesAddedTokensThatAreNotSpecial() throws Exception {
        String qwen = SharedTokenizers.dir("qwen3").toString();
        String text = "<think>\nhmm\n</think>\n\nanswer";
        JsonNode thinking = golden("qwen3", text);
        assertThat(thinking.has("special_as_text")).isFalse(); // <think> is not special: matched either way
        assertThat(ids(run("tokenize", "--vocab", qwen, "--json", "--special-as-text", text))).isEqualTo(thinking.get("ids"));
        String chat = "<|im_start|>user\nhi<|im_end|>\n";
        JsonNode c = golden("qwen3", chat);
        assertThat(ids(run("tokenize", "--vocab", qwen, "--json", chat))).isEqualTo(c.get("ids"));
        assertThat(ids(run("tokenize", "--vocab", qwen, "--json", "--special-as-text", chat))).isEqualTo(c.get("special_as_text"));
        String[] refused = run("tokenize", "--vocab", qwen, "--allowed-special", "<|im_end|>", chat);
        assertThat(refused[2]).startsWith("jllm: error: the text contains the special token <|im_start|>").hasLineCount(1);
    }

    @Test
    void decodesWithAndWithoutSpecialTokens() throws Exception {
        String llama = SharedTokenizers.dir("llama3").toString();
        String text = "<|begin_of_text|>Hello<|end_of_text|>";
        String ids = golden("llama3", text).get("ids").toString().replaceAll("[\\[\\]]", "");
        assertThat(run("tokenize", "--vocab", llama, "--decode", "--ids", ids)[1]).isEqualTo(text + "\n");
        assertThat(run("tokenize", "--vocab", llama, "--decode", "--skip-special-tokens", "--ids", ids)[1]).isEqualTo("Hello\n");
    }

    @Test
    void gpt2KeepsTiktokensRuleAndEncodesSpecialsAsTextOnRequest() throws Exception {
        String[] refused = run("tokenize", "a<|endoftext|>b");
        assertThat(refused[2]).contains("--special-as-text").hasLineCount(1);
        JsonNode asText = ids(run("tokenize", "--json", "--special-as-text", "a<|endoftext|>b"));
        assertThat(asText.toString()).isEqualTo(JSON.valueToTree(Gpt2Tokenizer.builtIn().encodeOrdinary("a<|endoftext|>b")).toString());
        assertThat(asText.toString()).doesNotContain("50256");
        assertThat(run("tokenize", "--special-as-text", "--allowed-special", "all", "x")[2]).contains("not both");
    }

    @Test
    void anUnsupportedTokenizerJsonIsOneLine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {}}}");
        String[] r = run("tokenize", "--vocab", dir.toString(), "x");
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).startsWith("jllm: error: " + dir.resolve("tokenizer.json") + ": unsupported model type 'WordPiece'")
                .hasLineCount(1);
    }
}
