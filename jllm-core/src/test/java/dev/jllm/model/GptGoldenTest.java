package dev.jllm.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.generate.GenerationOptions;
import dev.jllm.generate.Generator;
import dev.jllm.io.Safetensors;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Parity with the book's model in PyTorch (goldens from tools/reference/gpt_golden.py, computed in float64). */
class GptGoldenTest {

    static GptModel model;
    static JsonNode golden;
    static Map<String, Tensor> tensors;

    @BeforeAll
    static void load() throws IOException {
        model = TestModels.golden();
        golden = new ObjectMapper().readTree(TestModels.goldenDir().resolve("golden.json").toFile());
        tensors = Safetensors.read(TestModels.goldenDir().resolve("golden.safetensors")).tensors();
    }

    static int[] flat(JsonNode rows) {
        return java.util.stream.StreamSupport.stream(rows.spliterator(), false)
                .flatMapToInt(r -> r.isArray()
                        ? java.util.stream.StreamSupport.stream(r.spliterator(), false).mapToInt(JsonNode::asInt)
                        : java.util.stream.IntStream.of(r.asInt()))
                .toArray();
    }

    /** |a − b| ≤ tol·(|b| + max|b|·0.01) element-wise: relative, with a floor for values near zero. */
    static void assertClose(String what, float[] actual, float[] expected, double tol) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        double maxAbs = 0;
        for (float e : expected) maxAbs = Math.max(maxAbs, Math.abs(e));
        for (int i = 0; i < expected.length; i++) {
            double bound = tol * (Math.abs(expected[i]) + 0.01 * maxAbs);
            assertThat((double) Math.abs(actual[i] - expected[i])).as("%s[%d]: %s vs %s", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(bound);
        }
    }

    @Test
    void logitsAndLossMatchPyTorch() {
        model.eval();
        int[] inputs = flat(golden.get("inputs")), targets = flat(golden.get("targets"));
        int t = model.config.contextLength();
        Tensor logits = model.forward(inputs, 2, t);
        assertThat(logits.shape()).containsExactly(2, t, model.config.vocabSize());
        assertClose("logits", logits.data(), tensors.get("logits").data(), 1e-4);
        float loss = model.loss(inputs, targets, 2, t).item();
        assertThat((double) loss).isCloseTo(golden.get("loss").asDouble(),
                org.assertj.core.data.Offset.offset(1e-4 * golden.get("loss").asDouble()));
    }

    @Test
    void everyGradientMatchesPyTorch() {
        model.eval();
        model.parameters().forEach(Tensor::zeroGrad);
        int[] inputs = flat(golden.get("inputs")), targets = flat(golden.get("targets"));
        model.loss(inputs, targets, 2, model.config.contextLength()).backward();

        // The goldens hold the gradients in the Hugging Face layout: loading them as weights puts them in ours.
        Map<String, Tensor> gradsHf = new HashMap<>();
        tensors.forEach((name, t) -> {
            if (name.startsWith("grad.")) gradsHf.put(name.substring(5), t);
        });
        GptModel expected = GptModel.fromStateDict(model.config, gradsHf);
        Map<String, Tensor> want = expected.namedParameters();
        assertThat(want.keySet()).containsExactlyElementsOf(model.namedParameters().keySet());
        model.namedParameters().forEach((name, p) -> {
            assertThat(p.grad()).as("gradient of %s", name).isNotNull();
            assertClose("grad " + name, p.grad(), want.get(name).data(), 1e-3);
        });
    }

    @Test
    void greedyContinuationPastTheContextMatchesPyTorchWithAndWithoutCache() {
        int[] prompt = flat(golden.get("greedy_prompt")), want = flat(golden.get("greedy_ids"));
        for (boolean cache : new boolean[] {true, false}) {
            int[] ids = new Generator(model).generate(prompt, GenerationOptions.greedy(want.length).withKvCache(cache));
            assertThat(ids).as("kv cache %s", cache).containsExactly(want);
        }
    }
}
