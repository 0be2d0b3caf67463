package dev.jllm.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinearLoRATest {

    private static Tensor random(SplittableRandom rng, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) rng.nextDouble(-1, 1);
        return t;
    }

    private static Linear linear(SplittableRandom rng, int in, int out) {
        Linear l = new Linear(in, out, true);
        System.arraycopy(random(rng, out, in).data(), 0, l.weight.data(), 0, out * in);
        System.arraycopy(random(rng, out).data(), 0, l.bias.data(), 0, out);
        return l;
    }

    /** Golden values from tools/reference/lora_init.py (PyTorch's kaiming_uniform_ on torch.empty(in, rank)). */
    @Test
    void initBoundMatchesPyTorchWhoseFanInIsTheRank() throws IOException {
        JsonNode cases;
        try (InputStream in = getClass().getResourceAsStream("lora_init.json")) {
            cases = new ObjectMapper().readTree(in).get("cases");
        }
        assertThat(cases.size()).isEqualTo(5);
        for (JsonNode c : cases) {
            int rank = c.get("rank").asInt();
            assertThat(c.get("fan_in").asInt()).isEqualTo(rank);
            double bound = LoRALayer.initBound(rank);
            assertThat(bound).as("rank %d", rank).isCloseTo(c.get("bound").asDouble(), within(1e-15));
            assertThat(bound).isCloseTo(1 / Math.sqrt(rank), within(1e-15));
            // PyTorch's draw fills the interval up to the bound, and not beyond.
            assertThat(c.get("sample_max").asDouble()).isLessThanOrEqualTo(bound).isGreaterThan(0.99 * bound);
            assertThat(c.get("sample_min").asDouble()).isGreaterThanOrEqualTo(-bound).isLessThan(-0.99 * bound);
        }
    }

    @Test
    void aIsUniformInTheBoundAndBIsZeroSoAFreshAdapterChangesNothing() {
        SplittableRandom rng = new SplittableRandom(1);
        LoRALayer l = new LoRALayer(768, 2, 16, 16, rng);
        double max = 0;
        double sum = 0;
        for (float v : l.a.data()) {
            max = Math.max(max, Math.abs(v));
            sum += v;
        }
        assertThat(max).isLessThanOrEqualTo(0.25).isGreaterThan(0.249);
        assertThat(sum / l.a.size()).isCloseTo(0, within(0.01));
        assertThat(l.b.data()).containsOnly(0f);
        assertThat(l.scale()).isEqualTo(1f);

        Linear base = linear(rng, 6, 4);
        Tensor x = random(rng, 2, 3, 6);
        float[] before = base.forward(x).data();
        base.addLoRA(2, 8, rng);
        assertThat(base.forward(x).data()).containsExactly(before);
    }

    @Test
    void forwardAddsTheScaledLowRankProductAndGradientsReachOnlyTheAdapters() {
        SplittableRandom rng = new SplittableRandom(3);
        int in = 5, out = 7, rank = 3;
        Linear base = linear(rng, in, out);
        base.freeze();
        Linear m = base;
        m.addLoRA(rank, 6, rng, 3, 4);
        for (LoRALayer l : m.adapters()) System.arraycopy(random(rng, l.b.shape()).data(), 0, l.b.data(), 0, l.b.size());
        Tensor x = random(rng, 2, in);
        Tensor r = random(rng, 2, out);
        Tensor y = m.forward(x);

        // Reference in doubles: y = x·Wᵀ + b + 2 · x·A_p·B_p on each part's columns.
        float[] w = base.weight.data();
        for (int row = 0; row < 2; row++) {
            for (int o = 0; o < out; o++) {
                double s = base.bias.data()[o];
                for (int i = 0; i < in; i++) s += (double) x.data()[row * in + i] * w[o * in + i];
                LoRALayer l = m.adapters().get(o < 3 ? 0 : 1);
                int col = o < 3 ? o : o - 3;
                int width = o < 3 ? 3 : 4;
                for (int i = 0; i < in; i++) {
                    for (int k = 0; k < rank; k++) {
                        s += 2.0 * x.data()[row * in + i] * l.a.data()[i * rank + k] * l.b.data()[k * width + col];
                    }
                }
                assertThat((double) y.data()[row * out + o]).isCloseTo(s, within(1e-5));
            }
        }

        // loss = Σ y ⊙ r: check dA and dB against central finite differences.
        Ops.sum(Ops.mul(y, r)).backward();
        assertThat(base.weight.grad()).isNull();
        for (LoRALayer l : m.adapters()) {
            for (Tensor p : new Tensor[] {l.a, l.b}) {
                for (int i = 0; i < p.size(); i++) {
                    float keep = p.data()[i];
                    p.data()[i] = keep + 1e-2f;
                    double up = Ops.sum(Ops.mul(m.forward(x), r)).item();
                    p.data()[i] = keep - 1e-2f;
                    double down = Ops.sum(Ops.mul(m.forward(x), r)).item();
                    p.data()[i] = keep;
                    assertThat((double) p.grad()[i]).isCloseTo((up - down) / 2e-2, within(2e-3));
                }
            }
        }
        assertThat(m.trainableParameters().keySet())
                .containsExactly("lora.0.A", "lora.0.B", "lora.1.A", "lora.1.B");
    }

    @Test
    void mergedLinearComputesTheSameFunction() {
        SplittableRandom rng = new SplittableRandom(4);
        Linear m = linear(rng, 6, 9);
        m.addLoRA(2, 4, rng, 3, 3, 3);
        for (LoRALayer l : m.adapters()) System.arraycopy(random(rng, l.b.shape()).data(), 0, l.b.data(), 0, l.b.size());
        Tensor x = random(rng, 4, 6);
        float[] expected = m.forward(x).data();
        float[] actual = Ops.linear(x, m.mergedWeight(), m.bias).data();
        for (int i = 0; i < expected.length; i++) assertThat(actual[i]).isCloseTo(expected[i], within(1e-5f));
    }

    @Test
    void partsMustSplitTheOutput() {
        assertThatThrownBy(() -> new Linear(4, 6, false).addLoRA(2, 2, new SplittableRandom(), 3, 2))
                .hasMessage("LoRA parts [3, 2] do not split the 6 outputs of the Linear");
    }
}
