package dev.jllm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.model.DecoderWeights;
import dev.jllm.model.GroupedDecoder;
import dev.jllm.kernels.Bf16;
import dev.jllm.model.DecoderConfig;
import dev.jllm.model.DecoderModel;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Config files, saving and loading (single, sharded, bf16 mapped), and the errors for bad folders. */
class DecoderFilesTest {

    @TempDir
    Path tmp;

    static DecoderConfig tiny(String preset) {
        DecoderConfig c = DecoderConfig.preset(preset).withVocabSize(96).withMaxPositions(64);
        return c.withSizes(32, 48, 3, 4, 2, 8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3.2-1b", "qwen3-0.6b", "gemma3-270m"})
    void configJsonRoundTripsAndShapesMatchTheModule(String preset) throws IOException {
        for (DecoderConfig c : new DecoderConfig[] {DecoderConfig.preset(preset), tiny(preset)}) {
            Path f = tmp.resolve(preset + c.nLayers() + ".json");
            DecoderConfigJson.write(f, c, "bfloat16");
            assertThat(DecoderConfigJson.read(f)).isEqualTo(c);
        }
        DecoderModel m = new DecoderModel(tiny(preset));
        Map<String, int[]> shapes = DecoderModel.parameterShapes(m.config);
        assertThat(shapes.keySet()).containsExactlyElementsOf(m.namedParameters().keySet());
        m.namedParameters().forEach((name, p) -> assertThat(shapes.get(name)).as(name).containsExactly(p.shape()));
        assertThat(m.parameterCount()).isEqualTo(m.config.parameterCount());
    }

    @Test
    void readsThePublishedLlamaConfig() throws IOException {
        String published = """
                {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
                 "bos_token_id": 128000, "eos_token_id": 128001, "head_dim": 64, "hidden_act": "silu",
                 "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 8192,
                 "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama",
                 "num_attention_heads": 32, "num_hidden_layers": 16, "num_key_value_heads": 8, "pretraining_tp": 1,
                 "rms_norm_eps": 1e-05, "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0,
                 "low_freq_factor": 1.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"},
                 "rope_theta": 500000.0, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
                 "transformers_version": "4.45.0.dev0", "use_cache": true, "vocab_size": 128256}""";
        assertThat(DecoderConfigJson.parse(new ObjectMapper().readTree(published)))
                .isEqualTo(DecoderConfig.preset("llama3.2-1b"));
    }

    @Test
    void gemmaPatternMakesEverySixthLayerGlobal() {
        DecoderConfig c = DecoderConfig.preset("gemma3-270m");
        assertThat(c.slidingLayers().indexOf(false)).isEqualTo(5);
        assertThat(c.slidingLayers().stream().filter(s -> !s).count()).isEqualTo(3);
    }

    @Test
    void bf16SaveLoadsMappedAndDecodesLikeTheRoundedModel() throws IOException {
        DecoderModel model = DecoderModel.create(tiny("qwen3-0.6b"), 7);
        for (Tensor p : model.parameters()) { // wider weights than 0.02 so that the logits differ clearly
            float[] d = p.data();
            for (int i = 0; i < d.length; i++) d[i] = Bf16.toFloat(Bf16.fromFloat(p.rank() == 2 ? d[i] * 20 : d[i]));
        }
        DecoderFiles.save(tmp.resolve("m"), model, Dtype.BF16);
        try (SafetensorsFile f = SafetensorsFile.open(tmp.resolve("m/model.safetensors"))) {
            assertThat(f.entries().values()).allMatch(e -> e.dtype() == Dtype.BF16);
        }
        DecoderModel back = DecoderFiles.load(tmp.resolve("m"));
        model.namedParameters().forEach((n, p) -> assertThat(back.namedParameters().get(n).data()).containsExactly(p.data()));
        int[] prompt = {5, 9, 2, 77, 31};
        try (DecoderWeights mapped = DecoderWeights.mapped(back.config, SafetensorsShards.open(tmp.resolve("m")))) {
            float[] a = new GroupedDecoder(mapped, 8).append(prompt);
            float[] b = new GroupedDecoder(DecoderWeights.of(model, null), 8).append(prompt);
            for (int i = 0; i < a.length; i++) assertThat(a[i]).isCloseTo(b[i], org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    @Test
    void shardedCheckpointLoadsAndAMissingShardIsOneClearError() throws IOException {
        DecoderModel model = DecoderModel.create(tiny("llama3.2-1b"), 3);
        Path dir = tmp.resolve("sharded");
        DecoderFiles.save(dir, model, Dtype.F32);
        StateDict all = Safetensors.read(dir.resolve(ModelFiles.WEIGHTS));
        Files.delete(dir.resolve(ModelFiles.WEIGHTS));
        StateDict a = new StateDict(), b = new StateDict();
        StringBuilder map = new StringBuilder();
        int i = 0;
        for (var e : all.tensors().entrySet()) {
            String shard = i++ % 2 == 0 ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
            (shard.contains("00001-") ? a : b).put(e.getKey(), e.getValue());
            map.append(map.isEmpty() ? "" : ",").append('"').append(e.getKey()).append("\":\"").append(shard).append('"');
        }
        Safetensors.write(dir.resolve("model-00001-of-00002.safetensors"), a);
        Safetensors.write(dir.resolve("model-00002-of-00002.safetensors"), b);
        Files.writeString(dir.resolve(SafetensorsShards.INDEX), "{\"metadata\":{},\"weight_map\":{" + map + "}}");
        DecoderModel back = DecoderFiles.load(dir);
        model.namedParameters().forEach((n, p) -> assertThat(back.namedParameters().get(n).data()).containsExactly(p.data()));

        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        assertThatThrownBy(() -> DecoderFiles.load(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shard model-00002-of-00002.safetensors named by model.safetensors.index.json is missing");
    }

    @Test
    void aConfigThatContradictsTheWeightsNamesTheTensor() throws IOException {
        DecoderModel model = DecoderModel.create(tiny("gemma3-270m"), 3);
        Path dir = tmp.resolve("g");
        DecoderFiles.save(dir, model, Dtype.F32);
        String json = Files.readString(dir.resolve("config.json")).replace("\"intermediate_size\" : 48", "\"intermediate_size\" : 40");
        Files.writeString(dir.resolve("config.json"), json);
        assertThatThrownBy(() -> DecoderFiles.load(dir)).hasMessageContaining("mlp.gate_proj.weight' has shape [48, 32]"
                + " but the config needs [40, 32]");
    }

    @Test
    void unknownModelTypeAndUnsupportedSettingsAreRefused() {
        assertThatThrownBy(() -> DecoderConfigJson.parse(new ObjectMapper().readTree("{\"model_type\": \"mistral\"}")))
                .hasMessageContaining("unknown model_type 'mistral'");
        assertThatThrownBy(() -> DecoderConfigJson.parse(new ObjectMapper().readTree(
                "{\"model_type\": \"llama\", \"hidden_size\": 8, \"num_attention_heads\": 2, \"num_hidden_layers\": 1,"
                        + " \"intermediate_size\": 8, \"vocab_size\": 8, \"max_position_embeddings\": 8,"
                        + " \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4}}")))
                .hasMessageContaining("rope type 'yarn' is not supported");
        assertThat(Arrays.asList(DecoderConfig.Family.values())).hasSize(3);
    }
}
