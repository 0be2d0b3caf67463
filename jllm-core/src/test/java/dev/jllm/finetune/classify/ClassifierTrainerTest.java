package dev.jllm.finetune.classify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.testing.SharedData;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A scaled-down chapter 6: a tiny random GPT learns spam from ham on a subset of the SMS Spam Collection. */
class ClassifierTrainerTest {

    @Test
    void accuracyRisesWellAboveChanceOnSpam() {
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

        double before = ClassifierTrainer.evaluate(model, splits.test(), 8, Integer.MAX_VALUE).accuracy();
        List<ClassifierTrainer.Row> rows = new ArrayList<>();
        ClassifierTrainer.Result r = new ClassifierTrainer(model, splits, new ClassifierTrainConfig(3, 8, 3e-3, 0.1, 20, 5, 7))
                .run(rows::add);

        assertThat(r.steps()).isEqualTo(3 * (splits.train().size() / 8));
        assertThat(rows.getFirst().step()).isZero();
        assertThat(rows.getLast().step()).isEqualTo(r.steps());
        assertThat(rows.getLast().trainLoss()).isLessThan(rows.getFirst().trainLoss());
        assertThat(before).isBetween(0.3, 0.7); // chance, for two balanced classes
        assertThat(r.testAccuracy()).isGreaterThan(0.8);
        assertThat(r.trainAccuracy()).isGreaterThan(0.85);
    }
}
