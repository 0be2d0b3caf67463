package dev.jllm.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fused LoRA Linear against its double reference and finite differences, over float32 and bf16 weights. */
class LinearLoRATest {

    /** x·Wᵀ + bias + s·(x·A)·B in double. */
    static double[] ref(double[] x, double[] w, double[] bias, double[] a, double[] b, float s, int m, int in, int out,
                        int r) {
        double[] y = Ref.linear(x, w, bias, m, in, out);
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < r; k++) {
                double u = 0;
                for (int p = 0; p < in; p++) u += x[i * in + p] * a[p * r + k];
                for (int j = 0; j < out; j++) y[i * out + j] += s * u * b[k * out + j];
            }
        }
        return y;
    }

    @Test
    void forwardAndEveryGradientMatchTheReference() {
        Random rnd = new Random(5);
        int in = 12, out = 7, r = 3;
        for (int m : new int[] {2, 9}) {
            Tensor x = GradCheck.param(rnd, m, in), w = GradCheck.param(rnd, out, in), bias = GradCheck.param(rnd, out);
            Tensor a = GradCheck.param(rnd, in, r), b = GradCheck.param(rnd, r, out);
            GradCheck.check("linearLoRA m " + m, List.of(x, w, bias, a, b),
                    t -> Ops.linearLoRA(t.get(0), t.get(1), t.get(2), t.get(3), t.get(4), 0.75f),
                    d -> ref(d[0], d[1], d[2], d[3], d[4], 0.75f, m, in, out, r), 1e-5, 1e-3);
        }
    }

    @Test
    void overAFrozenBf16WeightTheAdaptersAndTheInputGetTheirGradients() {
        Random rnd = new Random(6);
        int m = 10, in = 16, out = 9, r = 2;
        Tensor w = Tensor.of(GradCheck.random(rnd, out * in), out, in).toBf16();
        Tensor wide = w.toFloat32();
        Tensor x = GradCheck.param(rnd, m, in), a = GradCheck.param(rnd, in, r), b = GradCheck.param(rnd, r, out);
        GradCheck.check("linearLoRA bf16", List.of(x, wide, a, b),
                t -> Ops.linearLoRA(t.get(0), w, null, t.get(2), t.get(3), 2f),
                d -> ref(d[0], d[1], new double[out], d[2], d[3], 2f, m, in, out, r), 1e-5, 1e-3);
        assertThat(w.requiresGrad()).isFalse();
    }
}
