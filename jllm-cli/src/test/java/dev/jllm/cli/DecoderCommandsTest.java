package dev.jllm.cli;

import static dev.jllm.cli.ModelCommandsTest.ids;
import static dev.jllm.cli.ModelCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.cli.ModelCommandsTest.Run;
import dev.jllm.io.DecoderFiles;
import dev.jllm.io.Dtype;
import dev.jllm.io.SafetensorsFile;
import dev.jllm.model.DecoderConfig;
import dev.jllm.model.DecoderModel;
import dev.jllm.tensor.NoGrad;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The commands on Llama, Qwen3 and Gemma 3 folders: generate, perplexity, init, info, and their errors. */
class DecoderCommandsTest {

    static final Path DIR = Path.of("../jllm-core/src/test/resources/dev/jllm/model/modern");

    static int[] flat(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen3", "gemma3"})
    void generateFromIdsMatchesTransformersWithAndWithoutCache(String family) throws Exception {
        JsonNode g = new ObjectMapper().readTree(DIR.resolve(family).resolve("golden.json").toFile());
        String model = DIR.resolve(family).resolve("model").toString();
        int[] want = flat(g.get("greedy"));
        for (String cache : new String[] {"--seed=1", "--no-kv-cache"}) {
            int n = cache.equals("--seed=1") ? want.length : 40; // 45 positions: past the window and the original context
            Run r = run("generate", "--model", model, "--prompt-ids", ids(g.get("prompt")), "--max-tokens", "" + n,
                    "--temperature", "0", "--json", "--ignore-eos", cache);
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(flat(r.json().get("ids"))).containsExactly(Arrays.copyOf(want, n));
        }
    }

    @Test
    void generateFromABf16CheckpointMatchesTransformersOnTheBf16Weights() throws Exception {
        JsonNode g = new ObjectMapper().readTree(DIR.resolve("qwen3").resolve("golden.json").toFile());
        int[] want = flat(new ObjectMapper().readTree(DIR.resolve("qwen3").resolve("golden-bf16.json").toFile()).get("greedy"));
        String model = DIR.resolve("qwen3").resolve("model-bf16").toString();
        for (String cache : new String[] {"--seed=1", "--no-kv-cache"}) {
            int n = cache.equals("--seed=1") ? want.length : 40;
            Run r = run("generate", "--model", model, "--prompt-ids", ids(g.get("prompt")), "--max-tokens", "" + n,
                    "--json", "--ignore-eos", cache);
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(flat(r.json().get("ids"))).containsExactly(Arrays.copyOf(want, n));
        }
    }

    @Test
    void generationStopsAtAnyEndIdOfConfigAndGenerationConfig(@TempDir Path tmp) throws Exception {
        JsonNode g = new ObjectMapper().readTree(DIR.resolve("qwen3").resolve("golden.json").toFile());
        int[] want = flat(g.get("greedy"));
        Path dir = Files.createDirectories(tmp.resolve("m"));
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            Files.copy(DIR.resolve("qwen3").resolve("model").resolve(f), dir.resolve(f));
        }
        // config.json says eos_token_id 2; generation_config.json adds a list (ids past the vocabulary are left out)
        int other = want[3];
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [" + other + ", 100000]}");
        int stop = 0;
        while (stop < want.length && want[stop] != 2 && want[stop] != other) stop++;
        Run r = run("generate", "--model", dir.toString(), "--prompt-ids", ids(g.get("prompt")), "--max-tokens",
                "" + want.length, "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(flat(r.json().get("ids"))).containsExactly(Arrays.copyOf(want, stop));
        assertThat(stop).isEqualTo(3);

        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": \"two\"}");
        Run bad = run("generate", "--model", dir.toString(), "--prompt-ids", "1,2", "--max-tokens", "3");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err().strip()).startsWith("jllm: error:").contains("eos_token_id").doesNotContain("\n");
    }

    @Test
    void perplexityOfIdsIsTheModelsLoss() throws Exception {
        Path dir = DIR.resolve("qwen3").resolve("model");
        JsonNode g = new ObjectMapper().readTree(DIR.resolve("qwen3").resolve("golden.json").toFile());
        int[] row = flat(g.get("inputs").get(1));
        Run r = run("perplexity", "--model", dir.toString(), "--ids", ids(g.get("inputs").get(1)), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        DecoderModel m = DecoderFiles.load(dir);
        double want;
        try (var ignored = NoGrad.enter()) {
            want = m.loss(Arrays.copyOf(row, row.length - 1), Arrays.copyOfRange(row, 1, row.length), 1, row.length - 1).item();
        }
        assertThat(r.json().get("loss").asDouble()).isCloseTo(want, org.assertj.core.data.Offset.offset(1e-4 * want));
        assertThat(r.json().get("tokens").asInt()).isEqualTo(row.length - 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3.2-1b", "qwen3-0.6b", "gemma3-270m"})
    void initWritesABf16HuggingFaceFolderThatEveryCommandTakes(String preset, @TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("m");
        Run init = run("init", "--config", preset, "--emb", "32", "--layers", "3", "--heads", "4", "--kv-heads", "2",
                "--head-dim", "16", "--intermediate", "64", "--vocab", "120", "--context", "64", "--out", dir.toString());
        assertThat(init.exit()).as(init.err()).isZero();
        assertThat(init.out()).contains(DecoderConfig.preset(preset).family().modelType);
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            assertThat(f.entries().values()).allMatch(e -> e.dtype() == Dtype.BF16);
        }
        DecoderConfig c = DecoderFiles.config(dir);
        assertThat(c.family()).isEqualTo(DecoderConfig.preset(preset).family());
        assertThat(c.headDim()).isEqualTo(16);
        JsonNode info = run("info", "--model", dir.toString(), "--json").json();
        assertThat(info.get("parameters").asLong()).isEqualTo(c.parameterCount())
                .isEqualTo(new DecoderModel(c).parameterCount());
        Run gen = run("generate", "--model", dir.toString(), "--prompt-ids", "1,2,3", "--max-tokens", "5", "--json",
                "--dtype", "bf16", "--ignore-eos");
        assertThat(gen.exit()).as(gen.err()).isZero();
        assertThat(gen.json().get("ids").size()).isEqualTo(5);
        assertThat(run("perplexity", "--model", dir.toString(), "--ids", "1,2,3,4,5", "--json").exit()).isZero();
        assertThat(run("init", "--config", preset, "--out", dir.toString()).err()).contains("not an empty folder");
    }

    @Test
    void infoOfAPresetNeedsNoFolder() throws Exception {
        JsonNode info = run("info", "--config", "llama3.2-1b", "--context", "1024", "--json").json();
        assertThat(info.get("parameters").asLong()).isEqualTo(1_235_814_400L);
        assertThat(info.get("memory_bytes").get("kv_cache").asLong()).isEqualTo(4L * 2 * 16 * 8 * 64 * 1024);
    }

    @Test
    void badFoldersAreOneClearLine(@TempDir Path tmp) throws Exception {
        Path unknown = Files.createDirectories(tmp.resolve("unknown"));
        Files.writeString(unknown.resolve("config.json"), "{\"model_type\": \"mistral\"}");
        Run r = run("generate", "--model", unknown.toString(), "--prompt-ids", "1");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("jllm: error: ").contains("model_type 'mistral'").hasLineCount(1);

        Path bad = tmp.resolve("bad");
        DecoderFiles.save(bad, DecoderModel.create(DecoderConfig.preset("qwen3-0.6b").withSizes(32, 48, 2, 4, 2, 8)
                .withVocabSize(50).withMaxPositions(32), 1), Dtype.BF16);
        Files.writeString(bad.resolve("config.json"),
                Files.readString(bad.resolve("config.json")).replace("\"num_key_value_heads\" : 2", "\"num_key_value_heads\" : 1"));
        r = run("perplexity", "--model", bad.toString(), "--ids", "1,2,3");
        assertThat(r.err()).startsWith("jllm: error: ").contains("k_proj.weight' has shape [16, 32] but the config needs [8, 32]")
                .hasLineCount(1);
    }
}
