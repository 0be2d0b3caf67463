package dev.jllm.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdamWTest {

    private static Map<String, Tensor> params(long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("w", Tensor.of(gaussian(r, 40_000), 200, 200).requiresGrad(true)); // large: the parallel path
        m.put("b", Tensor.of(gaussian(r, 7), 7).requiresGrad(true));
        return m;
    }

    private static float[] gaussian(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    private static void setGrads(Map<String, Tensor> params, Random r) {
        for (Tensor p : params.values()) {
            float[] g = p.gradOrCreate();
            for (int i = 0; i < g.length; i++) g[i] = (float) r.nextGaussian();
        }
    }

    @Test
    void savedAndRestoredStateContinuesExactlyLikeAnUninterruptedRun() {
        Map<String, Tensor> a = params(1), b = params(1);
        AdamW.Options o = AdamW.Options.withWeightDecay(0.1);
        AdamW optA = new AdamW(a, o), optB = new AdamW(b, o);
        Random ga = new Random(9), gb = new Random(9);
        for (int s = 0; s < 3; s++) {
            setGrads(a, ga);
            optA.step(1e-3);
            setGrads(b, gb);
            optB.step(1e-3);
        }
        // B is "restarted": a fresh optimizer over the same parameters, loaded from B's state
        AdamW restored = new AdamW(b, o);
        restored.loadState(optB.stateTensors(), optB.stepCounts());
        for (int s = 0; s < 3; s++) {
            setGrads(a, ga);
            optA.step(2e-3);
            setGrads(b, gb);
            restored.step(2e-3);
        }
        assertThat(b.get("w").data()).containsExactly(a.get("w").data());
        assertThat(b.get("b").data()).containsExactly(a.get("b").data());
        assertThat(restored.stepCounts()).containsEntry("w", 6L);
    }

    @Test
    void frozenParametersAndParametersWithoutGradientAreLeftAlone() {
        Map<String, Tensor> p = params(2);
        p.get("b").requiresGrad(false);
        float[] before = p.get("b").data().clone();
        setGrads(p, new Random(3));
        AdamW opt = new AdamW(p, AdamW.Options.withWeightDecay(0.5));
        opt.step(0.1);
        assertThat(p.get("b").data()).containsExactly(before);
        assertThat(opt.stepCounts()).containsEntry("b", 0L).containsEntry("w", 1L);
    }

    @Test
    void loadingStateOfTheWrongSizeNamesTheTensor() {
        AdamW opt = new AdamW(params(1), AdamW.Options.withWeightDecay(0));
        Map<String, Tensor> state = new LinkedHashMap<>(opt.stateTensors());
        state.put("b.exp_avg", Tensor.zeros(3));
        assertThatThrownBy(() -> opt.loadState(state, opt.stepCounts())).hasMessageContaining("b.exp_avg");
    }

    @Test
    void clippingLeavesSmallGradientsUntouched() {
        Map<String, Tensor> p = params(4);
        setGrads(p, new Random(5));
        float[] before = p.get("w").grad().clone();
        double norm = GradClip.clipGlobalNorm(p.values(), 1e6);
        assertThat(p.get("w").grad()).containsExactly(before);
        assertThat(GradClip.globalNorm(p.values())).isEqualTo(norm);
        GradClip.clipGlobalNorm(p.values(), 1.0);
        assertThat(GradClip.globalNorm(p.values())).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    }

    @Test
    void constantScheduleIsConstant() {
        LrSchedule s = new LrSchedule.Constant(4e-4);
        assertThat(s.lr(0)).isEqualTo(4e-4);
        assertThat(s.lr(12345)).isEqualTo(4e-4);
    }
}
