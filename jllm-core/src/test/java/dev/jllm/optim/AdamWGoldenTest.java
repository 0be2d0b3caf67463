package dev.jllm.optim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Replays the steps recorded by tools/reference/adamw_golden.py (PyTorch 1.13) and compares every value. */
class AdamWGoldenTest {

    private static final double REL = 1e-6, ABS = 1e-7;

    static JsonNode golden() throws IOException {
        try (InputStream in = AdamWGoldenTest.class.getResourceAsStream("/optim/adamw_golden.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static Stream<JsonNode> adamwCases() throws IOException {
        List<JsonNode> cases = new ArrayList<>();
        golden().get("adamw").forEach(cases::add);
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adamwCases")
    void adamwStepsMatchPyTorch(JsonNode c) {
        Map<String, Tensor> params = new LinkedHashMap<>();
        List<String> frozen = new ArrayList<>();
        c.get("frozen").forEach(f -> frozen.add(f.asText()));
        c.get("shapes").fields().forEachRemaining(e -> {
            int[] shape = new int[e.getValue().size()];
            for (int i = 0; i < shape.length; i++) shape[i] = e.getValue().get(i).asInt();
            Tensor t = Tensor.of(floats(c.get("initial").get(e.getKey())), shape);
            params.put(e.getKey(), t.requiresGrad(!frozen.contains(e.getKey())));
        });
        AdamW.Options options = AdamW.Options.withWeightDecay(c.get("weight_decay").asDouble());
        if (c.get("matrices_only").asBoolean()) options = options.withDecayRule(AdamW.DecayRule.MATRICES_ONLY);
        AdamW opt = new AdamW(params, options);

        int stepNo = 0;
        for (JsonNode step : c.get("steps")) {
            step.get("grads").fields().forEachRemaining(e -> {
                float[] g = params.get(e.getKey()).gradOrCreate();
                System.arraycopy(floats(e.getValue()), 0, g, 0, g.length);
            });
            if (!c.get("clip").isNull()) {
                double norm = GradClip.clipGlobalNorm(params.values(), c.get("clip").asDouble());
                assertClose(c.get("name") + " step " + stepNo + " grad norm", norm, step.get("grad_norm").asDouble());
            }
            opt.step(step.get("lr").asDouble());
            for (Map.Entry<String, Tensor> p : params.entrySet()) {
                float[] expected = floats(step.get("params_after").get(p.getKey()));
                float[] actual = p.getValue().data();
                for (int i = 0; i < expected.length; i++) {
                    assertClose(c.get("name") + " step " + stepNo + " " + p.getKey() + "[" + i + "]", actual[i], expected[i]);
                }
            }
            stepNo++;
        }
        assertThat(stepNo).isEqualTo(5);
    }

    @Test
    void warmupCosineMatchesTheBooksFormula() throws IOException {
        JsonNode s = golden().get("schedule");
        LrSchedule schedule = new LrSchedule.WarmupCosine(s.get("initial_lr").asDouble(), s.get("peak_lr").asDouble(),
                s.get("min_lr").asDouble(), s.get("warmup").asLong(), s.get("total").asLong());
        JsonNode lrs = s.get("lrs");
        for (int step = 0; step < lrs.size(); step++) {
            assertClose("lr at step " + step, schedule.lr(step), lrs.get(step).asDouble());
        }
        assertThat(schedule.lr(0)).isEqualTo(1e-4);
        assertThat(schedule.lr(20)).isEqualTo(1e-2);
        assertThat(schedule.lr(1000)).isEqualTo(1e-5);
    }

    private static void assertClose(String what, double actual, double expected) {
        double tol = Math.max(ABS, REL * Math.abs(expected));
        assertThat(Math.abs(actual - expected)).as("%s: %s vs PyTorch %s", what, actual, expected).isLessThanOrEqualTo(tol);
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) array.get(i).asDouble();
        return out;
    }
}
