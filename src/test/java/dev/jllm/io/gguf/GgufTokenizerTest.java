package dev.jllm.io.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.chat.ChatTemplate;
import dev.jllm.tokenizer.GgmlVocabulary;
import dev.jllm.tokenizer.HfTokenizer;
import dev.jllm.tokenizer.SharedTokenizers;
import dev.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tokenizers read from a GGUF file's own metadata give the ids of the Hugging Face {@code tokenizers} library: the
 * real tokenizer.json files of ../shared/data/tokenizers (Llama 3: gpt2/llama-bpe, Qwen3: gpt2/qwen2, Gemma 3: llama
 * SentencePiece with scores and byte tokens) written into GGUF files as llama.cpp's converter lays them out, read
 * back, and checked against the library's ids for the ~350 texts of {@code hf_golden_FAMILY.json}
 * (tools/reference/hf_tokenizer_golden.py). Skipped when ../shared is absent.
 */
class GgufTokenizerTest {

    static JsonNode golden(String family) throws IOException {
        try (InputStream in = GgufTokenizerTest.class.getResourceAsStream("/dev/jllm/tokenizer/hf_golden_" + family + ".json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static int[] ints(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
    }

    private static final Map<String, HfTokenizer> ROUND_TRIPPED = new ConcurrentHashMap<>();

    /** The family's tokenizer read back from a GGUF file (made once per test run). */
    static HfTokenizer roundTrip(String family, Path dir) throws IOException {
        HfTokenizer t = ROUND_TRIPPED.get(family);
        if (t == null) {
            t = writeAndRead(family, dir);
            ROUND_TRIPPED.put(family, t);
        }
        return t;
    }

    /** The family's tokenizer.json tokenizer written into a GGUF file (no tensors) with its chat template, read back. */
    static HfTokenizer writeAndRead(String family, Path dir) throws IOException {
        HfTokenizer hf = SharedTokenizers.get(family);
        GgufWriter w = new GgufWriter().put("general.architecture", GgufValue.of("llama"));
        String template = ChatTemplate.isIn(SharedTokenizers.dir(family)) ? ChatTemplate.source(SharedTokenizers.dir(family)) : null;
        GgufTokenizer.write(w, GgmlVocabulary.of(hf, hf.vocabSize()), template);
        Path file = dir.resolve(family + ".gguf");
        w.write(file);
        try (GgufFile f = GgufFile.open(file)) {
            return (HfTokenizer) GgufTokenizer.read(f);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3", "gemma3"})
    void encodesAsTheTokenizersLibrary(String family, @TempDir Path dir) throws IOException {
        HfTokenizer tok = roundTrip(family, dir);
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

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3", "gemma3"})
    void decodesAsTheTokenizersLibrary(String family, @TempDir Path dir) throws IOException {
        HfTokenizer tok = roundTrip(family, dir);
        List<String> wrong = new ArrayList<>();
        for (JsonNode d : golden(family).get("decodes")) {
            int[] ids = ints(d.get("ids"));
            if (!tok.decode(ids).equals(d.get("text").asText())) wrong.add(Arrays.toString(ids) + " -> " + tok.decode(ids));
            if (!tok.decode(ids, true).equals(d.get("skip_special").asText())) wrong.add(Arrays.toString(ids) + " (skip)");
        }
        assertThat(wrong).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3", "gemma3"})
    void specialTokensAndSizeComeFromTheMetadata(String family, @TempDir Path dir) throws IOException {
        HfTokenizer hf = SharedTokenizers.get(family);
        HfTokenizer tok = roundTrip(family, dir);
        assertThat(tok.vocabSize()).isEqualTo(hf.vocabSize());
        assertThat(tok.bosId()).isEqualTo(hf.bosId());
        assertThat(tok.eotId()).isEqualTo(hf.eotId());
        assertThat(tok.specialTokens()).isEqualTo(hf.specialTokens());
        assertThat(ChatTemplate.endIds(tok)).isEqualTo(ChatTemplate.endIds(hf));
    }

    /** Qwen3's embedding has 151,936 rows: the ids past the tokenizer are llama.cpp's unused [PADn] tokens. */
    @Test
    void idsPastTheTokenizerAreUnusedPadding(@TempDir Path dir) throws IOException {
        HfTokenizer hf = SharedTokenizers.get("qwen3");
        GgmlVocabulary v = GgmlVocabulary.of(hf, 151936);
        assertThat(v.tokens()).hasSize(151936);
        assertThat(v.tokens()[151935]).isEqualTo("[PAD151935]");
        assertThat(v.types()[151935]).isEqualTo(GgmlVocabulary.UNUSED);
        GgufWriter w = new GgufWriter().put("general.architecture", GgufValue.of("qwen3"));
        GgufTokenizer.write(w, v, null);
        w.write(dir.resolve("q.gguf"));
        try (GgufFile f = GgufFile.open(dir.resolve("q.gguf"))) {
            Tokenizer t = GgufTokenizer.read(f);
            assertThat(t.vocabSize()).isEqualTo(hf.vocabSize());
            assertThat(t.encode("Hello, world")).containsExactly(hf.encode("Hello, world"));
        }
    }

    @Test
    void anUnknownPreTokenizerIsOneClearLine(@TempDir Path dir) throws IOException {
        GgufWriter w = new GgufWriter().put("general.architecture", GgufValue.of("llama"))
                .put("tokenizer.ggml.model", GgufValue.of("gpt2")).put("tokenizer.ggml.pre", GgufValue.of("deepseek-coder"))
                .put("tokenizer.ggml.tokens", GgufValue.strings("a", "b")).put("tokenizer.ggml.merges", GgufValue.strings());
        w.write(dir.resolve("x.gguf"));
        try (GgufFile f = GgufFile.open(dir.resolve("x.gguf"))) {
            assertThatThrownBy(() -> GgufTokenizer.read(f)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("x.gguf").hasMessageContaining("tokenizer.ggml.pre 'deepseek-coder' is not supported");
        }
    }

    private static void check(List<String> wrong, String what, String text, int[] expected, int[] actual) {
        if (!Arrays.equals(expected, actual)) {
            wrong.add("%s %s: expected %s, got %s".formatted(what, new ObjectMapper().valueToTree(text),
                    Arrays.toString(expected), Arrays.toString(actual)));
        }
    }
}
