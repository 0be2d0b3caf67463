package dev.jllm.finetune.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jllm.arch.Architectures;
import dev.jllm.io.ModelFiles;
import dev.jllm.io.StateDict;
import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.tensor.NoGrad;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifierFilesTest {

    /** GPT-2's vocabulary (so the built-in tokenizer fits), tiny otherwise. */
    static final GptConfig CONFIG = new GptConfig(GptConfig.GPT2_VOCAB, 32, 16, 2, 2, 0f, true, true);
    static final List<String> LABELS = List.of("negative", "neutral", "positive");

    static float[] logits(GptClassifier m, int[] ids) {
        try (NoGrad g = NoGrad.enter()) {
            m.eval();
            return m.logits(ids, new int[] {ids.length - 1}, 1, ids.length).data();
        }
    }

    static void randomizeAdapters(GptClassifier m, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        m.namedParameters().forEach((name, p) -> {
            if (name.endsWith(".B")) for (int i = 0; i < p.size(); i++) p.data()[i] = (float) rng.nextGaussian() * 0.2f;
        });
    }

    @Test
    void savedClassifierLoadsAndClassifiesAsBefore(@TempDir Path dir) throws Exception {
        GptClassifier model = new GptClassifier(GptModel.create(CONFIG, 1), 3, Pooling.MEAN, new SplittableRandom(2));
        ClassifierInfo info = new ClassifierInfo(LABELS, Pooling.MEAN, 8, 50256, Trainable.ALL, 0, 0, "base");
        ClassifierFiles.save(dir, model, Gpt2Tokenizer.builtIn(), info, null);
        assertThat(dir.resolve(ClassifierFiles.ADAPTERS)).doesNotExist();

        Classifier loaded = Classifier.load(dir);
        assertThat(loaded.labels()).isEqualTo(LABELS);
        assertThat(loaded.info()).isEqualTo(info);
        String text = "Free entry in a weekly competition to win FA Cup final tickets";
        int[] ids = Gpt2Tokenizer.builtIn().encode(text);
        assertThat(ids.length).isGreaterThan(8);
        float[] expected = logits(model, java.util.Arrays.copyOf(ids, 8)); // truncated to max length 8
        Classifier.Classification c = loaded.classify(text);
        double[] p = softmax(expected);
        int best = 0;
        for (int i = 0; i < 3; i++) {
            assertThat(c.probabilities().get(LABELS.get(i))).isCloseTo(p[i], within(1e-5));
            if (p[i] > p[best]) best = i;
        }
        assertThat(c.label()).isEqualTo(LABELS.get(best));
        assertThat(c.probabilities().values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1, within(1e-5));
        assertThatThrownBy(() -> loaded.classify("")).hasMessageContaining("empty text");
    }

    @Test
    void loraRunSavesMergedWeightsAndSmallAdaptersThatLoadOnTheBaseModel(@TempDir Path tmp) throws Exception {
        Path base = tmp.resolve("base"), run = tmp.resolve("run");
        GptModel pretrained = GptModel.create(CONFIG, 3);
        ModelFiles.save(base, CONFIG, StateDict.of(pretrained.stateDict()));

        GptClassifier model = new GptClassifier(ClassifierFiles.body(Architectures.load(base, new SplittableRandom(0)), 0f, new SplittableRandom(4)),
                3, Pooling.LAST, new SplittableRandom(5));
        model.setTrainable(Trainable.LORA, 4, 8, new SplittableRandom(6));
        randomizeAdapters(model, 7);
        ClassifierInfo info = new ClassifierInfo(LABELS, Pooling.LAST, 16, 50256, Trainable.LORA, 4, 8, base.toString());
        ClassifierFiles.save(run, model, Gpt2Tokenizer.builtIn(), info, null);

        int[] ids = {464, 2068, 7586, 21831, 18045, 625};
        float[] expected = logits(model, ids);
        float[] merged = logits(ClassifierFiles.load(run, ClassifierInfo.read(run)), ids);
        float[] adapters = logits(ClassifierFiles.loadAdapters(base, run), ids);
        for (int i = 0; i < expected.length; i++) {
            assertThat(merged[i]).isCloseTo(expected[i], within(1e-4f));
            assertThat(adapters[i]).isCloseTo(expected[i], within(1e-5f));
        }
        assertThat(Files.size(run.resolve(ClassifierFiles.ADAPTERS))).isLessThan(Files.size(run.resolve(ModelFiles.WEIGHTS)) / 10);
    }

    @Test
    void notAClassifierFolderIsAClearError(@TempDir Path dir) {
        assertThatThrownBy(() -> Classifier.load(dir)).hasMessageContaining("is not a classifier (no classifier.json");
    }

    private static double[] softmax(float[] z) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : z) max = Math.max(max, v);
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) sum += p[i] = Math.exp(z[i] - max);
        for (int i = 0; i < z.length; i++) p[i] /= sum;
        return p;
    }
}
