package dev.jllm.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.model.GptModel;
import dev.jllm.model.TestModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProfilerTest {

    @AfterEach
    void off() {
        Profiler.enable(false);
        Profiler.reset();
    }

    /** Loss and every gradient of one step of a fresh tiny model (same seed: same dropout masks). */
    private static float[][] step() {
        GptModel model = TestModels.random(TestModels.tiny(), 5, 0.2);
        int[] x = {1, 2, 3, 4, 5, 6, 7, 8}, y = {2, 3, 4, 5, 6, 7, 8, 9};
        Tensor loss = model.loss(x, y, 2, 4);
        loss.backward();
        float[][] out = new float[model.parameters().size() + 1][];
        out[0] = new float[] {loss.item()};
        int i = 1;
        for (Tensor p : model.parameters()) out[i++] = p.grad().clone();
        return out;
    }

    @Test
    void recordsEachOpOfATrainingStepForwardAndBackwardWithoutChangingIt() {
        float[][] plain = step();
        assertThat(Profiler.seconds()).isEmpty(); // off: nothing recorded

        Profiler.enable(true);
        float[][] profiled = step();
        // Same values up to float rounding: Vector API reductions round differently while the JIT warms up,
        // so a bit-exact comparison between two runs in one JVM is flaky.
        for (int i = 0; i < plain.length; i++) {
            for (int j = 0; j < plain[i].length; j++) {
                assertThat(profiled[i][j]).isCloseTo(plain[i][j], org.assertj.core.api.Assertions.within(
                        1e-5f * Math.max(1f, Math.abs(plain[i][j]))));
            }
        }
        assertThat(Profiler.seconds().keySet()).contains("logits fwd", "logits bwd", "linear fwd", "linear bwd",
                "attention fwd", "attention bwd", "layer_norm fwd", "layer_norm bwd", "gelu fwd", "gelu bwd",
                "dropout fwd", "dropout bwd", "embedding fwd"); // the cross-entropy runs inside "logits", with the head
        assertThat(Profiler.seconds().values()).allSatisfy(s -> assertThat(s).isGreaterThanOrEqualTo(0.0));
    }

    @Test
    void scopeRelabelsOnlyTheOpsInsideItAndTimeAddsUp() {
        Profiler.enable(true);
        Tensor a = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        try (Profiler.Scope ignored = Profiler.scope("head")) {
            Ops.sum(Ops.scale(a, 2f)).backward();
        }
        Ops.sum(a).backward();
        Profiler.time("step", () -> {});
        assertThat(Profiler.seconds().keySet()).containsExactlyInAnyOrder("head fwd", "head bwd", "sum fwd", "sum bwd", "step");
    }

    @Test
    void countsTheFlopsOfTheMatrixProductsOfEachOp() {
        Profiler.enable(true);
        Tensor x = Tensor.of(new float[6 * 5], 6, 5).requiresGrad(true);
        Tensor w = Tensor.of(new float[4 * 5], 4, 5).requiresGrad(true);
        Ops.sum(Ops.linear(x, w, null)).backward();
        // forward X·Wᵀ: 2·6·4·5; backward dX = dY·W and dW = dYᵀ·X: twice that
        assertThat(Profiler.flops()).containsEntry("linear fwd", 240L).containsEntry("linear bwd", 480L)
                .doesNotContainKey("sum fwd");
    }
}
