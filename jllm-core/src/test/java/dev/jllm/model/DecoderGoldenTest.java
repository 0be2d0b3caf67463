package dev.jllm.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.io.DecoderFiles;
import dev.jllm.io.Safetensors;
import dev.jllm.tensor.NoGrad;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parity with Hugging Face transformers at tiny random configs of each family (goldens from
 * tools/reference/modern_golden.py, fp32): loss, logits and every gradient, on sequences longer than Llama's
 * original context and Gemma's window. Greedy ids: {@code GroupedDecoderTest} (cache) and
 * {@code DecoderCommandsTest} (with and without the cache).
 */
class DecoderGoldenTest {

    static final Path DIR = Path.of("src/test/resources/dev/jllm/model/modern");

    record Golden(DecoderModel model, JsonNode json, Map<String, Tensor> tensors) {
        int[] inputs() {
            return GptGoldenTest.flat(json.get("inputs"));
        }

        int[] targets() {
            return GptGoldenTest.flat(json.get("targets"));
        }

        int batch() {
            return json.get("inputs").size();
        }

        int seqLen() {
            return json.get("inputs").get(0).size();
        }
    }

    static Golden golden(String family) throws IOException {
        Path d = DIR.resolve(family);
        return new Golden(DecoderFiles.load(d.resolve("model")), new ObjectMapper().readTree(d.resolve("golden.json").toFile()),
                Safetensors.read(d.resolve("golden.safetensors")).tensors());
    }

    /** max |a − b| / max |b|. */
    static double relErr(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double diff = 0, scale = 1e-30;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen3", "gemma3"})
    void lossAndLogitsMatchTransformers(String family) throws IOException {
        Golden g = golden(family);
        try (var ignored = NoGrad.enter()) {
            Tensor logits = g.model.forward(g.inputs(), g.batch(), g.seqLen());
            assertThat(relErr(logits.data(), g.tensors.get("logits").data())).as("logits").isLessThan(1e-4);
            double loss = g.model.loss(g.inputs(), g.targets(), g.batch(), g.seqLen()).item();
            double want = g.json.get("loss").asDouble();
            assertThat(loss).isCloseTo(want, Offset.offset(1e-4 * want));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen3", "gemma3"})
    void everyGradientMatchesTransformers(String family) throws IOException {
        Golden g = golden(family);
        g.model.loss(g.inputs(), g.targets(), g.batch(), g.seqLen()).backward();
        List<String> checked = new ArrayList<>();
        g.model.namedParameters().forEach((name, p) -> {
            Tensor want = g.tensors.get("grad." + name);
            assertThat(want).as("golden gradient of " + name).isNotNull();
            assertThat(p.grad()).as("gradient of " + name).isNotNull();
            assertThat(relErr(p.grad(), want.data())).as("gradient of " + name).isLessThan(1e-3);
            checked.add(name);
        });
        assertThat(checked).hasSizeGreaterThan(20);
    }
}
