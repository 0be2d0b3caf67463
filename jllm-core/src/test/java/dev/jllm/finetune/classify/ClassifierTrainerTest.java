package dev.jllm.finetune.classify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.testing.SharedData;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import dev.jllm.train.MetricsLog;
import dev.jllm.train.ResumableRandom;
import dev.jllm.train.RunFolder;
import dev.jllm.train.TrainProgress;
import dev.jllm.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scaled-down chapter 6 in the shared training loop: a tiny random GPT learns spam from ham on a subset of the SMS
 * Spam Collection.
 */
class ClassifierTrainerTest {

    @Test
    void accuracyRisesWellAboveChanceOnSpam(@TempDir Path dir) throws Exception {
        ClassificationData sms = ClassificationData.readSmsSpam(SharedData.file("sms_spam_collection.tsv")).balanced(1);
        // 200 of each class, interleaved, is enough to learn the obvious spam words in a few seconds.
        List<LabeledText> subset = new ArrayList<>();
        List<LabeledText> all = sms.examples();
        int half = all.size() / 2;
        for (int i = 0; i < 200; i++) {
            subset.add(all.get(i));
            subset.add(all.get(half + i));
        }
        ClassificationData data = new ClassificationData("sms subset", sms.labels(), subset);
        Gpt2Tokenizer tokenizer = Gpt2Tokenizer.builtIn();
        GptConfig config = new GptConfig(GptConfig.GPT2_VOCAB, 32, 16, 2, 1, 0f, true, true);
        ClassificationSplits splits = ClassificationSplits.prepare(data, false, 123, tokenizer::encodeOrdinary, 32,
                config.contextLength(), tokenizer.eotId());
        GptClassifier model = new GptClassifier(GptModel.create(config, 1), 2, Pooling.LAST, new SplittableRandom(2));
        model.setTrainable(Trainable.ALL, 0, 0, null);

        int all8 = Integer.MAX_VALUE;
        double before = ClassificationTrainingData.evaluate(model, splits.test(), 8, all8).accuracy();
        ClassifierTrainConfig settings = new ClassifierTrainConfig(3, 8, 3e-3, 0.1, 20, 5, 7);
        ClassifierInfo info = new ClassifierInfo(data.labels(), Pooling.LAST, splits.length(), tokenizer.eotId(),
                Trainable.ALL, 0, 0, "tiny");
        TrainedClassifier trained = new TrainedClassifier(model, tokenizer, info,
                JsonNodeFactory.instance.objectNode());
        Trainer.Result r;
        List<MetricsLog.Row> rows;
        try (RunFolder run = RunFolder.create(dir, ClassificationTrainingData.COLUMNS)) {
            run.writeModel(trained, JsonNodeFactory.instance.objectNode());
            r = new Trainer<>(trained, new ResumableRandom(7), settings.loop(splits.length()),
                    new ClassificationTrainingData(splits, 8), run, TrainProgress.silent()).run();
            rows = run.metrics().rows();
        }

        assertThat(r.steps()).isEqualTo(3 * (splits.train().size() / 8));
        assertThat(rows.getFirst().step()).isZero();
        assertThat(rows.getLast().step()).isEqualTo(r.steps());
        assertThat(rows.getLast().trainLoss()).isLessThan(rows.getFirst().trainLoss());
        assertThat(before).isBetween(0.3, 0.7); // chance, for two balanced classes
        assertThat(ClassificationTrainingData.evaluate(model, splits.test(), 8, all8).accuracy()).isGreaterThan(0.8);
        assertThat(ClassificationTrainingData.evaluate(model, splits.train(), 8, all8).accuracy()).isGreaterThan(0.85);
    }
}
