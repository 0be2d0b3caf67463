package dev.jllm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading tokenizer.json files: a small hand-written one, and one clear line for what is not supported. */
class HfTokenizerFilesTest {

    private static final String SMALL = """
            {"normalizer": null,
             "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": true, "use_regex": true},
             "post_processor": {"type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                           {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                "special_tokens": {"<s>": {"id": "<s>", "ids": [0]}, "</s>": {"id": "</s>", "ids": [1]}}},
             "decoder": {"type": "ByteLevel"},
             "added_tokens": [
               {"id": 0, "content": "<s>", "special": true, "lstrip": false, "rstrip": false, "normalized": false, "single_word": false},
               {"id": 1, "content": "</s>", "special": true, "lstrip": false, "rstrip": false, "normalized": false, "single_word": false},
               {"id": 2, "content": "<mask>", "special": true, "lstrip": true, "rstrip": true, "normalized": false, "single_word": false}],
             "model": {"type": "BPE", "vocab": %s, "merges": ["Ġ a", "Ġa b"]}}
            """;

    private static String vocab() throws Exception {
        StringBuilder sb = new StringBuilder("{");
        for (int b = 0; b < 256; b++) {
            String c = String.valueOf(ByteLevel.charOf(b));
            sb.append(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(c)).append(": ").append(3 + b).append(", ");
        }
        return sb.append("\"Ġa\": 259, \"Ġab\": 260}").toString();
    }

    @Test
    void readsASmallByteLevelFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), SMALL.formatted(vocab()));
        HfTokenizer tok = HfTokenizer.load(dir);
        assertThat(tok.vocabSize()).isEqualTo(261);
        int[] ids = tok.encodeWithSpecials("ab ab");
        assertThat(ids).containsExactly(260, 260); // add_prefix_space: " ab ab"
        assertThat(tok.addSpecialTokens(ids)).containsExactly(0, 260, 260, 1);
        assertThat(tok.encodeWithSpecials("ab <mask> ab")).containsExactly(260, 2, 260); // lstrip/rstrip take the spaces
        assertThat(tok.decode(new int[] {260, 2, 260}, true)).isEqualTo(" ab ab");
        assertThatThrownBy(() -> tok.encode("a<s>")).hasMessageContaining("the text contains the special token <s>");
    }

    @Test
    void unsupportedPartsAreOneLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}");
        assertThatThrownBy(() -> HfTokenizer.load(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": unsupported model type 'Unigram' (jllm reads BPE tokenizers: byte-level like Llama 3 "
                        + "and Qwen3, or with byte fallback like Gemma 3)");
        Files.writeString(file, SMALL.formatted(vocab()).replace("\"type\": \"ByteLevel\", \"add_prefix_space\"",
                "\"type\": \"Metaspace\", \"add_prefix_space\""));
        assertThatThrownBy(() -> HfTokenizer.load(dir)).hasMessage(file + ": unsupported pre_tokenizer type 'Metaspace'");
        Files.writeString(file, "{not json");
        assertThatThrownBy(() -> HfTokenizer.load(dir)).hasMessageStartingWith(file + ": not valid JSON").hasMessageNotContaining("\n");
        Files.delete(file);
        assertThatThrownBy(() -> Tokenizer.load(dir)).hasMessageContaining("no vocabulary"); // no tokenizer.json: GPT-2 files
    }
}
