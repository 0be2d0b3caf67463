package dev.jllm.cli;

import static dev.jllm.cli.ModelCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.finetune.classify.ClassifierFiles;
import dev.jllm.finetune.classify.ClassifierInfo;
import dev.jllm.finetune.classify.GptClassifier;
import dev.jllm.finetune.classify.Pooling;
import dev.jllm.finetune.classify.Trainable;
import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.serve.Classifier;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Option errors of {@code jllm serve} (serving itself is tested in dev.jllm.serve and by tools/e2e/run.sh). */
class ServeCommandTest {

    @Test
    void badOptionsAreOneLineErrors() {
        assertThat(run("serve", "--model", "x", "--format", "chatml").err())
                .contains("jllm: error: unknown prompt format 'chatml' (choose alpaca or phi3)");
        assertThat(run("serve", "--model", "x", "--max-concurrent", "0").err())
                .contains("jllm: error: --max-batch must be >= 1, got 0");
        assertThat(run("serve", "--model", "x", "--max-batch", "0").err())
                .contains("jllm: error: --max-batch must be >= 1, got 0");
        assertThat(run("serve", "--model", "x", "--queue", "-1").err()).contains("--queue must be >= 0");
        assertThat(run("serve", "--model", "x", "--port", "70000").err()).contains("--port must be in 0..65535");
        assertThat(run("serve", "--model", "x", "--drain-seconds", "-1").err()).contains("--drain-seconds must be >= 0");
        assertThat(run("serve", "--model", "x", "--api-key", "two words").err())
                .contains("jllm: error: --api-key must be printable ASCII without spaces");
        assertThat(run("serve", "--model", "./no/such/folder").err())
                .contains("jllm: error: ./no/such/folder: no such file or folder");
    }

    @Test
    void theModelIdIsTheFolderName() {
        assertThat(ServeCommand.modelName(Path.of("runs/gpt2-124M"))).isEqualTo("gpt2-124M");
        assertThat(ServeCommand.modelName(Path.of("/tmp/m/model.safetensors"))).isEqualTo("model");
    }

    @Test
    void aClassifierFolderIsServedWithItsClassifier(@TempDir Path dir) throws Exception {
        GptConfig config = new GptConfig(GptConfig.GPT2_VOCAB, 32, 16, 2, 2, 0f, true, true);
        GptClassifier model = new GptClassifier(GptModel.create(config, 1), 2, Pooling.LAST, new SplittableRandom(2));
        List<String> labels = List.of("ham", "spam");
        ClassifierFiles.save(dir, model, Gpt2Tokenizer.builtIn(),
                new ClassifierInfo(labels, Pooling.LAST, 16, 50256, Trainable.ALL, 0, 0, "base"), null);

        Classifier served = ServeCommand.classifierIn(dir);
        assertThat(served).isNotNull();
        Classifier.Classification c = served.classify("Win a free holiday now");
        assertThat(c.probabilities().keySet()).containsExactlyElementsOf(labels);
        assertThat(c.probabilities().values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0,
                org.assertj.core.api.Assertions.within(1e-5));
        assertThat(c.label()).isIn(labels);
    }

    @Test
    void aPlainModelFolderHasNoClassifier(@TempDir Path dir) throws Exception {
        assertThat(ServeCommand.classifierIn(dir)).isNull();
    }
}
