package dev.jllm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ids and texts equal to the Hugging Face {@code tokenizers} library's for the real tokenizer.json files of
 * Llama 3, Qwen3 and Gemma 3 (goldens from tools/reference/hf_tokenizer_golden.py: about 350 texts and 80
 * decodings per family).
 */
class HfTokenizerGoldenTest {

    static JsonNode golden(String family) throws IOException {
        try (InputStream in = HfTokenizerGoldenTest.class.getResourceAsStream("hf_golden_" + family + ".json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static int[] ints(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3", "gemma3"})
    void encodesAsTheTokenizersLibrary(String family) throws IOException {
        HfTokenizer tok = SharedTokenizers.get(family);
        assertThat(tok.vocabSize()).isEqualTo(golden(family).get("vocab_size").asInt());
        assertEncodesAsTheLibrary(tok, family);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3", "gemma3"})
    void decodesAsTheTokenizersLibrary(String family) throws IOException {
        assertDecodesAsTheLibrary(SharedTokenizers.get(family), family);
    }

    /** {@code tok} gives the golden's ids for every text of {@code family}'s golden: plain, with specials added, specials as text. */
    static void assertEncodesAsTheLibrary(HfTokenizer tok, String family) throws IOException {
        JsonNode golden = golden(family);
        List<String> wrong = new ArrayList<>();
        for (JsonNode c : golden.get("cases")) {
            String text = c.get("text").asText();
            int[] ids = ints(c.get("ids"));
            check(wrong, "ids", text, ids, tok.encodeWithSpecials(text));
            int[] withSpecial = c.has("with_special") ? ints(c.get("with_special")) : ids;
            check(wrong, "with_special", text, withSpecial, tok.addSpecialTokens(tok.encodeWithSpecials(text)));
            int[] asText = c.has("special_as_text") ? ints(c.get("special_as_text")) : ids;
            check(wrong, "special_as_text", text, asText, tok.encodeOrdinary(text));
        }
        assertThat(wrong).as("%d of %d cases differ", wrong.size(), 3 * golden.get("cases").size()).isEmpty();
        assertThat(golden.get("cases").size()).isGreaterThan(300);
    }

    /** {@code tok} decodes the golden's ids of {@code family} to the library's texts, with and without special tokens. */
    static void assertDecodesAsTheLibrary(HfTokenizer tok, String family) throws IOException {
        List<String> wrong = new ArrayList<>();
        for (JsonNode d : golden(family).get("decodes")) {
            int[] ids = ints(d.get("ids"));
            String text = tok.decode(ids);
            String skipped = tok.decode(ids, true);
            if (!text.equals(d.get("text").asText())) wrong.add(java.util.Arrays.toString(ids) + " -> " + text);
            if (!skipped.equals(d.get("skip_special").asText())) wrong.add(java.util.Arrays.toString(ids) + " (skip) -> " + skipped);
        }
        assertThat(wrong).isEmpty();
    }

    private static void check(List<String> wrong, String what, String text, int[] expected, int[] actual) {
        if (!java.util.Arrays.equals(expected, actual)) {
            wrong.add("%s %s: expected %s, got %s".formatted(what, new ObjectMapper().valueToTree(text),
                    java.util.Arrays.toString(expected), java.util.Arrays.toString(actual)));
        }
    }
}
