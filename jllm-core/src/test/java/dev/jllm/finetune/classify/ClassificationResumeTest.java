package dev.jllm.finetune.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
 * with {@link ClassificationFinetune#resume} writes the metrics.csv and accuracies of an uninterrupted run.
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
        // the same steps, batches and dropout masks; values to 4 decimals (as the pretraining resume tests), since the
        // parallel kernels need not sum in the same order in a fresh model
        List<String> a = Files.readAllLines(split.resolve("metrics.csv")), b = Files.readAllLines(whole.resolve("metrics.csv"));
        assertThat(a).hasSameSizeAs(b);
        assertThat(a.getFirst()).isEqualTo(b.getFirst());
        for (int i = 1; i < a.size(); i++) {
            String[] x = a.get(i).split(","), y = b.get(i).split(",");
            assertThat(x).hasSameSizeAs(y);
            for (int c = 0; c < 3; c++) assertThat(x[c]).as("row %d column %d", i, c).isEqualTo(y[c]);
            for (int c = 3; c < x.length; c++) {
                assertThat(Double.parseDouble(x[c])).as("row %d column %d", i, c)
                        .isCloseTo(Double.parseDouble(y[c]), within(1e-4));
            }
        }
        assertThat(resumed.result().testAccuracy()).isCloseTo(uninterrupted.result().testAccuracy(), within(0.05));
        assertThat(split.resolve("accuracy.png")).isRegularFile();
    }
}
