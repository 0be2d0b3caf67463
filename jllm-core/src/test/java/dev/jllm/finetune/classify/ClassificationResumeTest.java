package dev.jllm.finetune.classify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.arch.Architectures;
import dev.jllm.arch.LoadedModel;
import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.testing.SpamTable;
import dev.jllm.train.RunFolder;
import dev.jllm.train.TrainProgress;
import dev.jllm.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Classification in the shared loop resumes exactly: a run stopped after a step (as Ctrl-C stops it) and continued
 * with {@link ClassificationFinetune#resume} writes the metrics.csv, weights and accuracies of an uninterrupted run,
 * bit for bit.
 */
class ClassificationResumeTest {

    @Test
    void aStoppedRunResumesToTheUninterruptedResult(@TempDir Path dir) throws Exception {
        Path modelDir = dir.resolve("model"), table = dir.resolve("messages.tsv");
        Architectures.save(GptModel.create(new GptConfig(GptConfig.GPT2_VOCAB, 32, 16, 2, 2, 0f, true, true), 3), modelDir);
        SpamTable.write(table, 60, 5);
        LoadedModel base = LoadedModel.load(modelDir);
        var spec = new ClassificationFinetune.Spec(Trainable.LORA, Pooling.LAST, 2, 4f, null, true, 0.1f,
                new ClassifierTrainConfig(3, 4, 1e-2, 0.1, 3, 2, 5), modelDir.toString());
        var data = new ClassificationFinetune.Table(table.toString(), null, null, null);

        Path whole = dir.resolve("whole"), split = dir.resolve("split");
        var uninterrupted = ClassificationFinetune.start(base.model(), base.tokenizer(), modelDir, data, spec, whole,
                TrainProgress.silent(), line -> {});
        assertThat(uninterrupted.result().outcome()).isEqualTo(Trainer.Outcome.FINISHED);

        var stopped = ClassificationFinetune.start(base.model(), base.tokenizer(), modelDir, data, spec, split,
                new TrainProgress() {
                    Trainer<?, ?> trainer;

                    @Override
                    public void start(Trainer<?, ?> t) {
                        trainer = t;
                    }

                    @Override
                    public void step(long step, int epoch, double loss, double tokensPerSecond) {
                        if (step == 4) trainer.requestStop(); // inside the first epoch: dropout and order resume too
                    }
                }, line -> {});
        assertThat(stopped.result().outcome()).isEqualTo(Trainer.Outcome.INTERRUPTED);
        assertThat(stopped.result().steps()).isEqualTo(4);
        assertThat(split.resolve(ClassifierInfo.FILE)).isRegularFile();
        assertThat(RunFolder.latestCheckpoint(split)).isPresent();

        var resumed = ClassificationFinetune.resume(split, TrainProgress.silent(), line -> {});
        assertThat(resumed.result().outcome()).isEqualTo(Trainer.Outcome.FINISHED);
        assertThat(resumed.result().steps()).isEqualTo(uninterrupted.result().steps());
        // The same steps, batches and dropout masks, and the same arithmetic: since lane sums and exponentials no
        // longer depend on whether the JIT has compiled a kernel (LaneSum, VectorExp), a run resumed in a fresh model
        // repeats the uninterrupted one bit for bit: the same metrics text, weights and accuracies.
        assertThat(Files.readAllLines(split.resolve("metrics.csv")))
                .hasSizeGreaterThan(1).isEqualTo(Files.readAllLines(whole.resolve("metrics.csv")));
        List<String> weights;
        try (var files = Files.list(whole)) {
            weights = files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".safetensors")).sorted().toList();
        }
        assertThat(weights).contains(ClassifierFiles.HEAD, ClassifierFiles.ADAPTERS);
        for (String f : weights) {
            assertThat(Files.readAllBytes(split.resolve(f))).as(f).isEqualTo(Files.readAllBytes(whole.resolve(f)));
        }
        assertThat(resumed.result().trainAccuracy()).isEqualTo(uninterrupted.result().trainAccuracy());
        assertThat(resumed.result().valAccuracy()).isEqualTo(uninterrupted.result().valAccuracy());
        assertThat(resumed.result().testAccuracy()).isEqualTo(uninterrupted.result().testAccuracy());
        assertThat(split.resolve("accuracy.png")).isRegularFile();
    }
}
