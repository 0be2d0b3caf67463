package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.model.InitScheme;
import dev.jllm.train.PretrainSpec;
import dev.jllm.train.StoryCorpus;
import dev.jllm.train.TrainConfig;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PretrainCommandTest {

    @TempDir
    Path tmp;

    private static PretrainSpec parse(String... args) {
        PretrainCommand cmd = new PretrainCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd.spec();
    }

    @Test
    void withoutOptionsItIsTheSmallStoryRun() {
        PretrainSpec s = parse();
        assertThat(s.builtInCorpus()).isTrue();
        assertThat(s.tokenizer()).isEqualTo("bpe");
        assertThat(s.weightsInit()).isEqualTo(InitScheme.GPT2);
        assertThat(s.embDim()).isLessThanOrEqualTo(256);
        assertThat(s.train().lr()).isGreaterThan(s.train().minLr());
    }

    @Test
    void withDataTheDefaultsAreTheBooksChapter5Settings() {
        PretrainSpec s = parse("--data", "the-verdict.txt");
        TrainConfig t = s.train();
        assertThat(s.tokenizer()).isEqualTo("gpt2");
        assertThat(s.weightsInit()).isEqualTo(InitScheme.PYTORCH); // the book's GPTModel keeps PyTorch's defaults
        assertThat(new int[] {s.embDim(), s.nLayers(), s.nHeads()}).containsExactly(768, 12, 12);
        assertThat(s.dropRate()).isEqualTo(0.1f);
        assertThat(new int[] {t.contextLength(), t.stride(), t.batchSize(), t.epochs()}).containsExactly(256, 256, 2, 10);
        assertThat(t.lr()).isEqualTo(4e-4);
        assertThat(t.minLr()).isEqualTo(4e-4); // a constant rate
        assertThat(t.weightDecay()).isEqualTo(0.1);
        assertThat(t.schedule(100).lr(50)).isEqualTo(4e-4);
    }

    @Test
    void optionsOverrideTheDefaults() {
        PretrainSpec s = parse("--data", "x.txt", "--config", "gpt2-medium", "--layers", "2", "--context", "32",
                "--stride", "8", "--steps", "7", "--lr", "1e-3", "--warmup", "3", "--min-lr", "1e-5", "--clip", "1",
                "--weight-decay", "0", "--eval-every", "2", "--eval-batches", "3", "--seed", "9",
                "--weights-init", "gpt2");
        TrainConfig t = s.train();
        assertThat(s.weightsInit()).isEqualTo(InitScheme.GPT2);
        assertThat(parse("--weights-init", "pytorch").weightsInit()).isEqualTo(InitScheme.PYTORCH);
        assertThat(new int[] {s.embDim(), s.nLayers(), s.nHeads()}).containsExactly(1024, 2, 16);
        assertThat(t.stride()).isEqualTo(8);
        assertThat(t.maxSteps()).isEqualTo(7);
        assertThat(t.schedule(7).lr(0)).isEqualTo(1e-5);
        assertThat(t.schedule(7).lr(3)).isEqualTo(1e-3);
        assertThat(new double[] {t.clip(), t.weightDecay()}).containsExactly(1, 0);
        assertThat(new long[] {t.evalEvery(), t.evalBatches(), t.seed()}).containsExactly(2, 3, 9);
    }

    @Test
    void jsonPrintsOneObjectWithTheResults() throws Exception {
        Path data = tmp.resolve("stories.txt");
        Files.writeString(data, StoryCorpus.generate(1, 10));
        Path out = tmp.resolve("run");
        StringWriter stdout = new StringWriter(), stderr = new StringWriter();
        int code = CliHarness.execute(stdout, stderr, "pretrain", "--data", data.toString(), "--tokenizer", "bpe", "--vocab-size", "300",
                "--emb", "16", "--layers", "1", "--heads", "2", "--context", "16", "--batch", "4", "--steps", "3",
                "--eval-every", "3", "--out", out.toString(), "--json", "--no-progress");
        assertThat(code).as(stderr.toString()).isZero();
        JsonNode o = new ObjectMapper().readTree(stdout.toString());
        assertThat(o.get("run_dir").asText()).isEqualTo(out.toString());
        assertThat(o.get("steps").asLong()).isEqualTo(3);
        assertThat(o.get("tokens_seen").asLong()).isEqualTo(3 * 4 * 16);
        assertThat(o.get("train_loss").isNumber()).isTrue();
        assertThat(o.get("val_loss").isNumber()).isTrue();
        assertThat(o.get("seconds").asDouble()).isPositive();
        assertThat(o.get("tokens_per_second").asDouble()).isPositive();
        JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertThat(config.at("/training/weightsInit").asText()).isEqualTo("pytorch");
    }

    @Test
    void badOptionsAreOneLineErrors() {
        StringWriter stdout = new StringWriter(), stderr = new StringWriter();
        assertThat(CliHarness.execute(stdout, stderr, "pretrain", "--epochs", "2", "--steps", "3")).isNotZero();
        assertThat(stderr.toString()).contains("--epochs or --steps");
        assertThat(CliHarness.execute(stdout, stderr, "pretrain", "--config", "gpt5")).isNotZero();
        assertThat(stderr.toString()).contains("unknown model config 'gpt5'");
        assertThat(CliHarness.execute(stdout, stderr, "pretrain", "--weights-init", "xavier")).isNotZero();
        assertThat(stderr.toString()).contains("unknown weight initialisation \"xavier\"");
        assertThat(CliHarness.execute(stdout, stderr, "pretrain", "--weights-init", "gpt2", "--init", "gpt2-124M")).isNotZero();
        assertThat(stderr.toString()).contains("--weights-init draws random weights; --init loads them");
    }
}
