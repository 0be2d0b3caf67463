package dev.jllm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.chat.ChatTemplate;
import dev.jllm.io.gguf.GgufFile;
import dev.jllm.io.gguf.GgufTokenizer;
import dev.jllm.io.gguf.GgufValue;
import dev.jllm.io.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
        HfTokenizerGoldenTest.assertEncodesAsTheLibrary(roundTrip(family, dir), family);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3", "gemma3"})
    void decodesAsTheTokenizersLibrary(String family, @TempDir Path dir) throws IOException {
        HfTokenizerGoldenTest.assertDecodesAsTheLibrary(roundTrip(family, dir), family);
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
}
