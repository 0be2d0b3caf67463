package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.io.ModelFiles;
import dev.jllm.io.StateDict;
import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.prompt.ModelFormat;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.testing.SharedData;
import dev.jllm.tokenizer.BpeTrainer;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import dev.jllm.train.MetricsLog;
import dev.jllm.train.RunFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jllm finetune dpo} end to end on a tiny model and the first pairs of the book's preference data. */
class FinetuneDpoCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A 1-layer model folder with a 300-token BPE vocabulary trained on {@code text} (its own end token, not GPT-2's
     * 50256) and the alpaca format recorded, as finetune instruct leaves it.
     */
    static Path sftModel(Path dir, Path text) throws Exception {
        Path model = dir.resolve("sft");
        Gpt2Tokenizer tok = BpeTrainer.train(Files.readString(text), 300, List.of("<|endoftext|>"), BpeTrainer.Progress.NONE);
        GptConfig config = new GptConfig(tok.vocabSize(), 256, 32, 2, 1, 0.1f, false, false);
        StateDict weights = new StateDict();
        GptModel.create(config, 1).stateDict().forEach(weights::put);
        ModelFiles.save(model, config, weights);
        tok.save(model);
        ObjectNode json = (ObjectNode) JSON.readTree(model.resolve("config.json").toFile());
        json.putObject("training").put(ModelFormat.KEY, "alpaca");
        JSON.writeValue(model.resolve("config.json").toFile(), json);
        return model;
    }

    /** The first {@code n} entries of a shared JSON list, in a file of their own. */
    static Path firstEntries(String shared, int n, Path dir) throws Exception {
        JsonNode all = JSON.readTree(SharedData.file(shared).toFile());
        ArrayNode some = JSON.createArrayNode();
        for (int i = 0; i < n; i++) some.add(all.get(i));
        Path file = dir.resolve("first-" + n + "-" + shared);
        JSON.writeValue(file.toFile(), some);
        return file;
    }

    @Test
    void dpoRaisesTheRewardMarginOfTheTrainingPairs(@TempDir Path dir) throws Exception {
        Path data = firstEntries("instruction-data-with-preference.json", 20, dir);
        Path model = sftModel(dir, data), out = dir.resolve("dpo");
        ModelCommandsTest.Run r = ModelCommandsTest.run("finetune", "dpo", "--model", model.toString(), "--data",
                data.toString(), "--batch", "4", "--epochs", "2", "--lr", "3e-3", "--eval-every", "4", "--eval-batches", "1",
                "--out", out.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("run_dir").asText()).isEqualTo(out.toString());
        for (String f : List.of("train_loss", "val_loss", "val_reward_margin", "val_reward_accuracy", "seconds")) {
            assertThat(j.get(f).isNumber()).as(f).isTrue();
        }
        List<String> metrics = Files.readAllLines(out.resolve("metrics.csv"));
        assertThat(metrics.getFirst()).isEqualTo(MetricsLog.HEADER
                + ",train_reward_margin,val_reward_margin,train_reward_accuracy,val_reward_accuracy");
        String[] first = metrics.get(1).split(","), last = metrics.getLast().split(",");
        // before any step the policy is the reference: loss log 2, margins 0
        assertThat(Double.parseDouble(first[3])).isCloseTo(Math.log(2), org.assertj.core.data.Offset.offset(1e-4));
        assertThat(Double.parseDouble(first[6])).isZero();
        assertThat(Double.parseDouble(last[3])).as("train loss").isLessThan(Double.parseDouble(first[3]));
        assertThat(Double.parseDouble(last[6])).as("train reward margin").isPositive();
        // a run folder like every training run's: plot, checkpoint, and a resume that finds the run finished
        assertThat(out.resolve(RunFolder.PLOT)).isRegularFile();
        assertThat(out.resolve(RunFolder.CHECKPOINTS)).isDirectory();
        ModelCommandsTest.Run resumed = ModelCommandsTest.run("finetune", "dpo", "--resume", out.toString(), "--json");
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        assertThat(resumed.json().get("val_reward_margin").asDouble())
                .isCloseTo(j.get("val_reward_margin").asDouble(), org.assertj.core.data.Offset.offset(1e-6));
        // the result is a model folder that keeps the format
        assertThat(ModelFormat.read(out)).contains(PromptFormat.ALPACA);
        assertThat(ModelCommandsTest.run("generate", "--model", out.toString(), "--prompt", "Hi", "--max-tokens", "2")
                .exit()).isZero();
    }

    @Test
    void badDataIsOneClearLine(@TempDir Path dir) throws Exception {
        Path model = sftModel(dir, firstEntries("instruction-data-with-preference.json", 20, dir));
        Path noRejected = dir.resolve("bad.json");
        Files.writeString(noRejected, "[{\"instruction\": \"a\", \"input\": \"\", \"chosen\": \"b\"}]");
        ModelCommandsTest.Run r = ModelCommandsTest.run("finetune", "dpo", "--model", model.toString(), "--data",
                noRejected.toString(), "--out", dir.resolve("o").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("jllm: error: " + noRejected + ": entry 0 has no \"rejected\"" + System.lineSeparator());
        Path few = firstEntries("instruction-data-with-preference.json", 5, dir);
        r = ModelCommandsTest.run("finetune", "dpo", "--model", model.toString(), "--data", few.toString(),
                "--out", dir.resolve("o").toString());
        assertThat(r.err()).contains("leave the").contains("split empty");
    }
}
