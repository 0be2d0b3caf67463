package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.finetune.instruct.InstructionTuning;
import dev.jllm.prompt.InstructionJson;
import dev.jllm.prompt.ModelFormat;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.prompt.ResponseExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jllm finetune instruct} end to end at toy scale: a 300-token BPE vocabulary and a 1-layer model, the first
 * 24 entries of the book's instruction data (20 train, 2 test, 2 validation).
 */
class FinetuneInstructCommandTest {

    @TempDir
    static Path dir;
    static Path model;
    static Path data;

    @BeforeAll
    static void setUp() throws Exception {
        data = FinetuneDpoCommandTest.firstEntries("instruction-data.json", 24, dir);
        model = FinetuneDpoCommandTest.sftModel(dir, data);
    }

    static ModelCommandsTest.Run finetune(Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("finetune", "instruct", "--model", model.toString(),
                "--data", data.toString(), "--batch", "4", "--lr", "3e-3", "--response-tokens", "12",
                "--out", out.toString(), "--json"));
        args.addAll(List.of(extra));
        return ModelCommandsTest.run(args.toArray(String[]::new));
    }

    @Test
    void trainsLikePretrainingAndAnswersTheTestSplit() throws Exception {
        Path out = dir.resolve("run");
        ModelCommandsTest.Run r = finetune(out, "--mask-prompt", "--epochs", "2");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("run_dir").asText()).isEqualTo(out.toString());
        Path responses = Path.of(j.get("responses").asText());
        assertThat(responses).isEqualTo(out.resolve(InstructionTuning.RESPONSES));
        assertThat(j.get("seconds").asDouble()).isPositive();

        // metrics.csv: one row before training, then every 5 steps and at the end (2 epochs of 5 steps)
        List<String> metrics = Files.readAllLines(out.resolve("metrics.csv"));
        assertThat(metrics).hasSize(1 + 3);
        double firstTrain = Double.parseDouble(metrics.get(1).split(",")[3]);
        double lastTrain = Double.parseDouble(metrics.getLast().split(",")[3]);
        double firstVal = Double.parseDouble(metrics.get(1).split(",")[4]);
        double lastVal = Double.parseDouble(metrics.getLast().split(",")[4]);
        assertThat(lastTrain).isLessThan(firstTrain);
        assertThat(lastVal).isLessThan(firstVal);
        assertThat(j.get("train_loss").asDouble()).isEqualTo(lastTrain, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(j.get("val_loss").asDouble()).isEqualTo(lastVal, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(out.resolve("loss.png")).isRegularFile();
        assertThat(out.resolve("checkpoints")).isDirectory();

        // the test split (entries 20 and 21), answered, next to the reference outputs
        List<ResponseExample> answered = InstructionJson.readResponses(responses);
        JsonNode all = new ObjectMapper().readTree(data.toFile());
        assertThat(answered).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(answered.get(i).instruction()).isEqualTo(all.get(20 + i).get("instruction").asText());
            assertThat(answered.get(i).output()).isEqualTo(all.get(20 + i).get("output").asText());
        }
        // a model folder that chat and dpo read the format from
        assertThat(ModelFormat.read(out)).contains(PromptFormat.ALPACA);
        assertThat(new ObjectMapper().readTree(out.resolve("config.json").toFile()).at("/training/maskPrompt").asBoolean())
                .isTrue();
    }

    @Test
    void resumingAFinishedRunAnswersAgainFromItsLastCheckpoint() throws Exception {
        Path out = dir.resolve("resumed");
        assertThat(finetune(out, "--epochs", "1").exit()).isZero();
        Files.delete(out.resolve(InstructionTuning.RESPONSES));
        ModelCommandsTest.Run r = ModelCommandsTest.run("finetune", "instruct", "--resume", out.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(out.resolve(InstructionTuning.RESPONSES)).isRegularFile();
        assertThat(ModelCommandsTest.run("finetune", "instruct", "--resume", out.toString(), "--model", "x").err())
                .contains("--resume takes the run's own");
    }

    @Test
    void badInputIsOneClearLine() throws Exception {
        Path missing = dir.resolve("missing.json");
        Files.writeString(missing, "[{\"instruction\": \"Say hi.\", \"input\": \"\"}]");
        ModelCommandsTest.Run r = ModelCommandsTest.run("finetune", "instruct", "--model", model.toString(), "--data",
                missing.toString(), "--out", dir.resolve("bad1").toString());
        assertThat(r.err()).isEqualTo("jllm: error: " + missing + ": entry 0 has no \"output\"" + System.lineSeparator());
        Path notJson = dir.resolve("not.json");
        Files.writeString(notJson, "instruction,output\nSay hi.,Hi.\n");
        r = ModelCommandsTest.run("finetune", "instruct", "--model", model.toString(), "--data", notJson.toString(),
                "--out", dir.resolve("bad2").toString());
        assertThat(r.err()).startsWith("jllm: error: " + notJson + ": not valid JSON");
        Path few = FinetuneDpoCommandTest.firstEntries("instruction-data.json", 6, dir);
        r = ModelCommandsTest.run("finetune", "instruct", "--model", model.toString(), "--data", few.toString(),
                "--out", dir.resolve("bad3").toString());
        assertThat(r.err()).contains("split empty");
        r = ModelCommandsTest.run("finetune", "instruct", "--data", few.toString());
        assertThat(r.err()).contains("--model");
        assertThat(ModelCommandsTest.run("finetune", "instruct", "--model", model.toString(), "--data", data.toString(),
                "--format", "chatml", "--out", dir.resolve("bad4").toString()).err()).contains("unknown prompt format 'chatml'");
    }
}
