package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.io.ModelFiles;
import dev.jllm.model.GptConfig;
import dev.jllm.model.ModelStats;
import dev.jllm.model.TestModels;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** generate, perplexity, info and init end to end, on the PyTorch golden model and on fresh tiny models. */
class ModelCommandsTest {

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return new ObjectMapper().readTree(out);
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int exit = CliHarness.execute(out, err, args);
        return new Run(exit, out.toString(), err.toString());
    }

    static String golden() {
        return TestModels.goldenDir().resolve("model").toString();
    }

    static JsonNode goldenJson() throws Exception {
        return new ObjectMapper().readTree(TestModels.goldenDir().resolve("golden.json").toFile());
    }

    static String ids(JsonNode array) {
        StringBuilder s = new StringBuilder();
        for (JsonNode n : array) s.append(s.isEmpty() ? "" : ",").append(n.asInt());
        return s.toString();
    }

    @Test
    void generateFromIdsMatchesPyTorchsGreedyContinuationWithAndWithoutCache() throws Exception {
        JsonNode g = goldenJson();
        for (String cache : new String[] {"--seed=1", "--no-kv-cache"}) {
            Run r = run("generate", "--model", golden(), "--prompt-ids", ids(g.get("greedy_prompt")),
                    "--max-tokens", "30", "--temperature", "0", "--json", cache);
            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode j = r.json();
            assertThat(ids(j.get("ids"))).isEqualTo(ids(g.get("greedy_ids")));
            assertThat(ids(j.get("prompt_ids"))).isEqualTo(ids(g.get("greedy_prompt")));
            assertThat(j.get("text").isNull()).isTrue(); // this model folder has no tokenizer
            assertThat(j.get("tokens_per_second").asDouble()).isPositive();
        }
    }

    @Test
    void badInputIsOneClearLine() {
        Run beyond = run("generate", "--model", golden(), "--prompt-ids", "1,2,300");
        assertThat(beyond.exit()).isEqualTo(1);
        assertThat(beyond.err()).isEqualTo("jllm: error: token id 300 is outside the vocabulary (size 257)" + System.lineSeparator());
        Run text = run("generate", "--model", golden(), "--prompt", "Hello");
        assertThat(text.exit()).isEqualTo(1);
        assertThat(text.err()).contains("no tokenizer files").contains("--prompt-ids");
        assertThat(run("generate", "--model", golden()).err()).contains("exactly one of --prompt");
        assertThat(run("generate", "--model", "no/such/dir", "--prompt-ids", "1").err()).contains("no/such/dir");
        // a bare name is looked up among downloaded models
        assertThat(run("generate", "--model", "gpt2-999M", "--prompt-ids", "1").err())
                .contains("model gpt2-999M is not downloaded");
    }

    @Test
    void perplexityOfIdsIsTheMeanCrossEntropy() throws Exception {
        JsonNode g = goldenJson();
        // the first golden sequence: 24 inputs and the last target, scored in one window
        String row = ids(g.get("inputs").get(0)) + "," + g.get("targets").get(0).get(23).asInt();
        Run r = run("perplexity", "--model", golden(), "--ids", row, "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("tokens").asInt()).isEqualTo(24);
        assertThat(j.get("perplexity").asDouble()).isCloseTo(Math.exp(j.get("loss").asDouble()),
                org.assertj.core.data.Offset.offset(1e-6));
        // the same tokens through a window of 8 with stride 4 give a (slightly) different loss over the same count
        JsonNode sliding = run("perplexity", "--model", golden(), "--ids", row, "--context", "8", "--stride", "4", "--json").json();
        assertThat(sliding.get("tokens").asInt()).isEqualTo(24);
        assertThat(sliding.get("loss").asDouble()).isNotEqualTo(j.get("loss").asDouble());
    }

    @Test
    void initWritesAModelThatGeneratesTextReproducibly(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("tiny");
        Run init = run("init", "--config", "custom", "--emb", "16", "--layers", "1", "--heads", "2", "--context", "32",
                "--seed", "7", "--out", dir.toString());
        assertThat(init.exit()).as(init.err()).isZero();
        for (String f : new String[] {"config.json", "model.safetensors", "vocab.json", "merges.txt"}) {
            assertThat(dir.resolve(f)).exists();
        }
        JsonNode a = run("generate", "--model", dir.toString(), "--prompt", "Every effort moves you", "--max-tokens", "40",
                "--temperature", "1", "--top-k", "50", "--seed", "3", "--json").json();
        assertThat(a.get("prompt_ids").size()).isEqualTo(4);
        assertThat(a.get("ids").size()).isBetween(1, 40);
        // the same seed streams the same text to the terminal
        Run streamed = run("generate", "--model", dir.toString(), "--prompt", "Every effort moves you", "--max-tokens", "40",
                "--temperature", "1", "--top-k", "50", "--seed", "3");
        assertThat(streamed.out()).isEqualTo("Every effort moves you" + a.get("text").asText() + System.lineSeparator());

        // a random model is about as good as a uniform guess: loss near ln(50257) = 10.8
        Path text = tmp.resolve("text.txt");
        Files.writeString(text, "I HAD always thought Jack Gisburn rather a cheap genius--though a good fellow enough."
                + "<|endoftext|>So it was no great surprise to me to hear that, in the height of his glory, he had dropped"
                + " his painting, married a rich widow, and established himself in a villa on the Riviera.");
        int tokens = dev.jllm.tokenizer.Gpt2Tokenizer.builtIn().encode(Files.readString(text), java.util.Set.of("<|endoftext|>")).length;
        JsonNode ppl = run("perplexity", "--model", dir.toString(), "--file", text.toString(), "--stride", "16", "--json").json();
        assertThat(ppl.get("tokens").asInt()).isEqualTo(tokens - 1);
        assertThat(ppl.get("loss").asDouble()).isBetween(10.0, 11.6);

        GptConfig c = new GptConfig(50257, 32, 16, 2, 1, 0.1f, true, true);
        JsonNode info = run("info", "--model", dir.toString(), "--json").json();
        assertThat(info.get("parameters").asLong()).isEqualTo(ModelStats.parameterCount(c));
        assertThat(run("init", "--out", dir.toString()).err()).contains("not an empty folder");
    }

    @Test
    void initDrawsThePyTorchDefaultsOnRequest(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("book");
        Run init = run("init", "--config", "custom", "--emb", "16", "--layers", "1", "--heads", "2", "--context", "32",
                "--weights-init", "pytorch", "--out", dir.toString());
        assertThat(init.exit()).as(init.err()).isZero();
        // nn.Embedding's N(0, 1), not GPT-2's std 0.02
        float[] wte = ModelFiles.load(dir).weights().tensors().get("wte.weight").data();
        double sumSquares = 0;
        for (float v : wte) sumSquares += v * v;
        assertThat(Math.sqrt(sumSquares / wte.length)).isBetween(0.95, 1.05);
        assertThat(run("init", "--weights-init", "xavier", "--out", tmp.resolve("x").toString()).err())
                .contains("unknown weight initialisation");
    }

    @Test
    void infoOfAPresetNeedsNoWeights() {
        Run r = run("info", "--config", "gpt2-small");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("124,439,808").contains("GFLOP").contains("AdamW");
    }
}
