package dev.jllm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.Setting;
import dev.jllm.SettingException;
import dev.jllm.io.GptCheckpoint;
import dev.jllm.io.ModelFiles;
import dev.jllm.model.GptModel;
import dev.jllm.tensor.Tensor;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scaled-down pretraining runs (a tiny model on a few stories, seconds each). */
class PretrainingTest {

    @TempDir
    static Path shared;
    static Path stories;

    @TempDir
    Path tmp;

    private static final PrintWriter QUIET = new PrintWriter(Writer.nullWriter());

    @BeforeAll
    static void writeStories() throws IOException {
        stories = shared.resolve("stories.txt");
        Files.writeString(stories, StoryCorpus.generate(11, 20)); // about 9 KB
    }

    /** A 2-layer, 32-wide model with a 320-token vocabulary, windows of 16, batches of 8. */
    static PretrainSpec tiny(int epochs, long steps, double lr, float dropout, int evalEvery, int checkpointEvery) {
        TrainConfig t = TrainConfig.builder().contextLength(16).batchSize(8).epochs(epochs).maxSteps(steps).lr(lr)
                .evalEvery(evalEvery).evalBatches(2).seed(42).samplePrompt("Once upon a time").sampleTokens(8)
                .checkpointEvery(checkpointEvery).build();
        return new PretrainSpec(stories.toString(), PretrainSpec.BPE, 320, null, null, 32, 2, 2, dropout, t);
    }

    @Test
    void theLossFallsAndTheRunFolderHoldsEverything() throws IOException {
        Path out = tmp.resolve("run");
        Pretraining.Report report = Pretraining.start(tiny(2, 0, 3e-3, 0f, 10, 0), out, TrainProgress.silent(), QUIET);

        List<String> csv = Files.readAllLines(out.resolve(RunFolder.METRICS));
        assertThat(csv.getFirst()).isEqualTo("step,tokens_seen,lr,train_loss,val_loss,tokens_per_second");
        double first = Double.parseDouble(csv.get(1).split(",")[3]);
        double last = Double.parseDouble(csv.getLast().split(",")[3]);
        assertThat(first).isGreaterThan(5.0); // about ln(320) = 5.77 before training
        assertThat(last).isLessThan(first * 0.75);
        assertThat(report.result().trainLoss()).isEqualTo(last, Offset.offset(1e-5));
        assertThat(report.result().outcome()).isEqualTo(Trainer.Outcome.FINISHED);
        assertThat(report.result().steps()).isEqualTo(Long.parseLong(csv.getLast().split(",")[0]));
        assertThat(report.result().tokensSeen()).isEqualTo(report.result().steps() * 8 * 16);

        byte[] png = Files.readAllBytes(out.resolve(RunFolder.PLOT));
        assertThat(Arrays.copyOf(png, 4)).containsExactly(0x89, 'P', 'N', 'G');
        assertThat(Files.readString(out.resolve(RunFolder.SAMPLES)))
                .contains("=== epoch 1, step").contains("=== epoch 2, step").contains("Once upon a time");
        assertThat(report.samples()).hasSize(3).allSatisfy(s -> assertThat(s).startsWith("Once upon a time"));

        // config.json: the model's Hugging Face config plus the run's settings
        JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertThat(config.get("n_embd").asInt()).isEqualTo(32);
        assertThat(config.at("/training/train/contextLength").asInt()).isEqualTo(16);
        assertThat(config.at("/training/tokenizer").asText()).isEqualTo("bpe");
        assertThat(config.at("/training/weightsInit").asText()).isEqualTo("gpt2"); // the default when none is given

        // a run folder is a model folder, with its tokenizer
        GptCheckpoint model = ModelFiles.load(out);
        Gpt2Tokenizer tokenizer = Gpt2Tokenizer.load(out);
        assertThat(model.config().vocabSize()).isEqualTo(tokenizer.vocabSize());
        assertThat(model.config().nLayers()).isEqualTo(2);

        Path checkpoint = out.resolve(RunFolder.CHECKPOINTS).resolve(String.format("step-%08d", report.result().steps()));
        for (String f : List.of("model.safetensors", "config.json", Checkpoint.OPTIMIZER, Checkpoint.STATE)) {
            assertThat(checkpoint.resolve(f)).isRegularFile();
        }
        try (var files = Files.list(out.resolve(RunFolder.CHECKPOINTS))) {
            assertThat(files.toList()).hasSize(1); // only the latest is kept
        }
    }

    @Test
    void initContinuesFromTheWeightsAndTokenizerOfARunFolder() throws IOException {
        Path first = tmp.resolve("first"), second = tmp.resolve("second");
        Pretraining.Report a = Pretraining.start(tiny(1, 6, 3e-3, 0f, 3, 0), first, TrainProgress.silent(), QUIET);
        PretrainSpec tiny = tiny(1, 1, 3e-3, 0f, 1, 0);
        PretrainSpec fromRun = new PretrainSpec(tiny.data(), PretrainSpec.MODEL, 0, first.toString(), null, 0, 0, 0, 0f,
                tiny.train());
        Pretraining.start(fromRun, second, TrainProgress.silent(), QUIET);
        // before its first step, the second run evaluates exactly the weights the first one ended with
        String[] start = Files.readAllLines(second.resolve(RunFolder.METRICS)).get(1).split(",");
        assertThat(Double.parseDouble(start[3])).isEqualTo(a.result().trainLoss(), Offset.offset(1e-6));
        assertThat(Double.parseDouble(start[4])).isEqualTo(a.result().valLoss(), Offset.offset(1e-6));
        assertThat(Files.readString(second.resolve("vocab.json"))).isEqualTo(Files.readString(first.resolve("vocab.json")));
    }

    @Test
    void aResumedRunReachesTheSameLossesAsAnUninterruptedOne() throws IOException {
        PretrainSpec spec = tiny(1, 12, 2e-3, 0.1f, 3, 0); // dropout on: its generator state must be restored too
        Path whole = tmp.resolve("whole"), split = tmp.resolve("split");
        Pretraining.start(spec, whole, TrainProgress.silent(), QUIET);

        Pretraining.Report stopped = Pretraining.start(spec, split, new StopAt(7), QUIET);
        assertThat(stopped.result().outcome()).isEqualTo(Trainer.Outcome.INTERRUPTED);
        assertThat(stopped.result().steps()).isEqualTo(7);
        assertThat(split.resolve(RunFolder.CHECKPOINTS).resolve("step-00000007")).isDirectory();

        Pretraining.Report resumed = Pretraining.resume(split, TrainProgress.silent(), QUIET);
        assertThat(resumed.result().steps()).isEqualTo(12);
        // Equal up to the last printed digit: the kernels may round differently while the JIT warms up, so runs in
        // one JVM agree to about 1e-6, not bit for bit. A wrong batch order or dropout mask moves them by 1e-4 or more.
        List<double[]> a = lossColumns(whole), b = lossColumns(split);
        assertThat(b).hasSize(5).hasSameSizeAs(a); // steps 0, 3, 6, 9, 12
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i)[0]).isEqualTo(a.get(i)[0]);
            assertThat(b.get(i)[1]).isEqualTo(a.get(i)[1]);
            assertThat(b.get(i)[2]).as("train loss at step %s", a.get(i)[0]).isCloseTo(a.get(i)[2], Offset.offset(2e-5));
            assertThat(b.get(i)[3]).as("val loss at step %s", a.get(i)[0]).isCloseTo(a.get(i)[3], Offset.offset(2e-5));
        }
    }

    @Test
    void twoAccumulatedHalfBatchesStepLikeOneFullBatch() throws IOException {
        TrainConfig full = tiny(1, 3, 3e-3, 0f, 1, 0).train();
        TrainConfig halves = full.toBuilder().batchSize(4).gradAccum(2).build();
        Path a = tmp.resolve("full"), b = tmp.resolve("halves");
        Pretraining.start(withTrain(tiny(1, 3, 3e-3, 0f, 1, 0), full), a, TrainProgress.silent(), QUIET);
        Pretraining.start(withTrain(tiny(1, 3, 3e-3, 0f, 1, 0), halves), b, TrainProgress.silent(), QUIET);
        // The same windows (an epoch's order does not depend on the batch size) give the same mean gradient, so the
        // two runs take the same steps, up to rounding (which Adam amplifies where a gradient is near zero): the
        // runs differ by a small fraction of how far they moved.
        GptCheckpoint x = ModelFiles.load(a), y = ModelFiles.load(b);
        Map<String, Tensor> start = GptModel.create(x.config(), 42).stateDict();
        double diff = 0, moved = 0;
        for (String name : start.keySet()) {
            float[] p = x.weights().require(name).data(), q = y.weights().require(name).data(), p0 = start.get(name).data();
            for (int i = 0; i < p.length; i++) {
                diff += (double) (p[i] - q[i]) * (p[i] - q[i]);
                moved += (double) (p[i] - p0[i]) * (p[i] - p0[i]);
            }
        }
        assertThat(moved).isPositive();
        assertThat(Math.sqrt(diff)).isLessThan(0.05 * Math.sqrt(moved));
    }

    private static PretrainSpec withTrain(PretrainSpec s, TrainConfig t) {
        return new PretrainSpec(s.data(), s.tokenizer(), s.vocabSize(), s.init(), s.weightsInit(), s.embDim(),
                s.nLayers(), s.nHeads(), s.dropRate(), t);
    }

    @Test
    void aNonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint() {
        Path out = tmp.resolve("blowup");
        PretrainSpec spec = tiny(1, 10, 1e30, 0f, 100, 1); // a learning rate that sends the weights to 1e30
        assertThatThrownBy(() -> Pretraining.start(spec, out, TrainProgress.silent(), QUIET))
                .isInstanceOf(Trainer.NonFiniteLossException.class)
                .hasMessageContaining("at step 2")
                .hasMessageContaining("last good checkpoint (step 1)");
        assertThat(out.resolve(RunFolder.CHECKPOINTS).resolve("step-00000001").resolve(Checkpoint.STATE)).isRegularFile();
    }

    @Test
    void startingOverAnExistingRunIsAnErrorThatPointsToResume() throws IOException {
        Path out = tmp.resolve("twice");
        Pretraining.start(tiny(1, 2, 1e-3, 0f, 1, 0), out, TrainProgress.silent(), QUIET);
        assertThatThrownBy(() -> Pretraining.start(tiny(1, 2, 1e-3, 0f, 1, 0), out, TrainProgress.silent(), QUIET))
                .isInstanceOfSatisfying(SettingException.class,
                        e -> assertThat(e.settings()).containsExactly(Setting.RESUME, Setting.RUN_FOLDER));
    }

    /** step, tokens seen, train loss, val loss of each metrics row. */
    private static List<double[]> lossColumns(Path run) throws IOException {
        List<String> lines = Files.readAllLines(run.resolve(RunFolder.METRICS));
        return lines.subList(1, lines.size()).stream().map(l -> {
            String[] f = l.split(",");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[3]),
                Double.parseDouble(f[4])};
        }).toList();
    }

    /** Asks the trainer to stop after the given step, as Ctrl-C does. */
    static final class StopAt implements TrainProgress {
        private final long at;
        private Trainer trainer;

        StopAt(long at) {
            this.at = at;
        }

        @Override
        public void start(Trainer trainer) {
            this.trainer = trainer;
        }

        @Override
        public void step(long step, int epoch, double loss, double tokensPerSecond) {
            if (step == at) trainer.requestStop();
        }
    }
}
