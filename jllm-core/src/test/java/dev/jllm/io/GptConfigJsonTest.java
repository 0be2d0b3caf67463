package dev.jllm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.model.GptConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GptConfigJsonTest {

    @TempDir
    Path dir;

    @Test
    void writesHuggingFaceGpt2ConfigAndReadsItBack() throws IOException {
        GptConfig small = GptConfig.preset("gpt2-small");
        Path file = dir.resolve("config.json");
        GptConfigJson.write(file, small);
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertThat(json.get("model_type").asText()).isEqualTo("gpt2");
        assertThat(json.get("architectures").get(0).asText()).isEqualTo("GPT2LMHeadModel");
        assertThat(json.get("n_embd").asInt()).isEqualTo(768);
        assertThat(json.get("n_positions").asInt()).isEqualTo(1024);
        assertThat(json.get("eos_token_id").asInt()).isEqualTo(50256);
        assertThat(json.has("qkv_bias")).isFalse();
        assertThat(GptConfigJson.read(file)).isEqualTo(small);

        GptConfig custom = new GptConfig(100, 32, 16, 4, 3, 0.0f, false, false);
        GptConfigJson.write(file, custom);
        assertThat(GptConfigJson.read(file)).isEqualTo(custom);
    }

    @Test
    void readsOpenAisHparamsAndTheBooksDictionary() throws IOException {
        Path hparams = dir.resolve("hparams.json");
        Files.writeString(hparams, "{\"n_vocab\": 50257, \"n_ctx\": 1024, \"n_embd\": 1024, \"n_head\": 16, \"n_layer\": 24}");
        assertThat(GptConfigJson.read(hparams)).isEqualTo(GptConfig.preset("gpt2-medium"));

        Path book = dir.resolve("config.json");
        Files.writeString(book, "{\"vocab_size\": 50257, \"context_length\": 256, \"emb_dim\": 768, \"n_heads\": 12,"
                + " \"n_layers\": 12, \"drop_rate\": 0.1, \"qkv_bias\": false}");
        assertThat(GptConfigJson.read(book)).isEqualTo(new GptConfig(50257, 256, 768, 12, 12, 0.1f, false, false));
    }

    @Test
    void huggingFaceConfigWithOnlyNCtx() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"vocab_size\": 10, \"n_ctx\": 8, \"n_embd\": 4, \"n_head\": 2, \"n_layer\": 1}");
        assertThat(GptConfigJson.read(file)).isEqualTo(new GptConfig(10, 8, 4, 2, 1, 0.1f, true, true));
    }

    @Test
    void badConfigsAreNamed() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"vocab_size\": 10, \"n_positions\": 8, \"n_head\": 2, \"n_layer\": 1}");
        assertThatThrownBy(() -> GptConfigJson.read(file)).hasMessage(file + ": missing 'n_embd'");
        Files.writeString(file, "{\"vocab_size\": 10,");
        assertThatThrownBy(() -> GptConfigJson.read(file)).hasMessageStartingWith(file + ": malformed JSON");
        Files.writeString(file, "{\"model_type\": \"llama\"}");
        assertThatThrownBy(() -> GptConfigJson.read(file)).hasMessage(file + ": model_type 'llama' is not gpt2");
        Files.writeString(file, "{\"vocab_size\": 10, \"n_positions\": 8, \"n_embd\": 4, \"n_head\": 2, \"n_layer\": 1,"
                + " \"activation_function\": \"relu\"}");
        assertThatThrownBy(() -> GptConfigJson.read(file)).hasMessageContaining("activation_function 'relu' is not supported");
    }
}
