package dev.jllm.tensor;

import static dev.jllm.tensor.GradCheck.check;
import static dev.jllm.tensor.GradCheck.param;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ops of Llama, Qwen and Gemma (RMSNorm, rotary embedding, SiLU, soft-capping, grouped-query attention with
 * a window) against plain double references written here, forward and finite-difference gradients.
 */
class ModernOpsTest {

    private static final double FWD = 1e-5, GRAD = 1e-4;

    @ParameterizedTest
    @CsvSource({"3, 0", "8, 0", "13, 1", "64, 1"})
    void rmsNormPlainAndGemmaOffset(int c, float offset) {
        Random rnd = new Random(c);
        Tensor x = param(rnd, 3, 2, c), w = param(rnd, c);
        check("rmsNorm", List.of(x, w), t -> Ops.rmsNorm(t.get(0), t.get(1), offset, 1e-6f),
                r -> rmsNorm(r[0], r[1], offset, 1e-6, c), FWD, GRAD);
    }

    @ParameterizedTest
    @CsvSource({"1, 4, 0", "2, 8, 3", "3, 6, 5"})
    void ropeRotatesDimensionIWithIPlusHalf(int heads, int hd, int start) {
        Random rnd = new Random(heads * 31 + hd);
        int bs = 2, t = 5, half = hd / 2, positions = start + t + 2;
        float[] cos = new float[positions * half], sin = new float[positions * half];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * Math.pow(100, -2.0 * i / hd);
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
        Tensor x = param(rnd, bs, t, heads * hd);
        check("rope", List.of(x), a -> Ops.rope(a.get(0), heads, cos, sin, start),
                r -> rope(r[0], bs, t, heads, hd, cos, sin, start), FWD, GRAD);
    }

    @Test
    void ropeRejectsPositionsBeyondItsTable() {
        Tensor x = Tensor.zeros(1, 4, 8);
        assertThatThrownBy(() -> Ops.rope(x, 2, new float[3 * 2], new float[3 * 2], 0))
                .hasMessageContaining("outside the angle tables");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 9, 40})
    void silu(int n) {
        Random rnd = new Random(n);
        Tensor x = param(rnd, 3, n);
        check("silu", List.of(x), t -> Ops.silu(t.get(0)), r -> {
            double[] y = new double[r[0].length];
            for (int i = 0; i < y.length; i++) y[i] = r[0][i] / (1 + Math.exp(-r[0][i]));
            return y;
        }, FWD, GRAD);
    }

    @Test
    void softCap() {
        Random rnd = new Random(3);
        Tensor x = Ops.scale(param(rnd, 4, 9), 20f).detach().requiresGrad(true);
        check("softCap", List.of(x), t -> Ops.softCap(t.get(0), 30f), r -> {
            double[] y = new double[r[0].length];
            for (int i = 0; i < y.length; i++) y[i] = 30 * Math.tanh(r[0][i] / 30);
            return y;
        }, FWD, GRAD);
    }

    /** Small shapes take the row-by-row kernel, 70 queries the blocked one (two blocks of up to 64). */
    @ParameterizedTest
    @CsvSource({
        "4, 2, 6, 0, 7, 7", "4, 1, 8, 3, 9, 9", "2, 2, 5, 4, 3, 8", "6, 3, 4, 0, 1, 6",
        "4, 2, 8, 5, 70, 70", "2, 1, 16, 0, 70, 70", "3, 1, 4, 20, 66, 75"})
    void groupedQueryAttentionWithScaleAndWindow(int heads, int kvHeads, int hd, int window, int tq, int tk) {
        Random rnd = new Random(heads * 1000 + kvHeads * 100 + window * 10 + tq);
        int bs = 2;
        float scale = 0.3f;
        var spec = new AttentionSpec(heads, kvHeads, hd, scale, window);
        Tensor q = param(rnd, bs, tq, heads * hd), k = param(rnd, bs, tk, kvHeads * hd), v = param(rnd, bs, tk, kvHeads * hd);
        check("gqa", List.of(q, k, v), x -> Ops.attention(x.get(0), x.get(1), x.get(2), spec, 0f, null),
                r -> attention(r[0], r[1], r[2], bs, tq, tk, spec, 0f, 0L), FWD, GRAD);
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 70})
    void groupedQueryAttentionWithDropoutAndWindow(int t) {
        Random rnd = new Random(t);
        int bs = 1;
        var spec = new AttentionSpec(4, 2, 8, 0.25f, 6);
        Tensor q = param(rnd, bs, t, 32), k = param(rnd, bs, t, 16), v = param(rnd, bs, t, 16);
        long seed = new SplittableRandom(9).nextLong();
        check("gqa dropout", List.of(q, k, v),
                x -> Ops.attention(x.get(0), x.get(1), x.get(2), spec, 0.2f, new SplittableRandom(9)),
                r -> attention(r[0], r[1], r[2], bs, t, t, spec, 0.2f, seed), FWD, GRAD);
    }

    @Test
    void multiHeadAttentionIsTheGroupOfOne() {
        Random rnd = new Random(5);
        Tensor q = param(rnd, 2, 9, 12), k = param(rnd, 2, 9, 12), v = param(rnd, 2, 9, 12);
        Tensor a = Ops.causalAttention(q, k, v, 3, 0f, null);
        Tensor b = Ops.attention(q, k, v, AttentionSpec.of(3, 3, 4), 0f, null);
        assertThat(b.data()).containsExactly(a.data());
    }

    static double[] rmsNorm(double[] x, double[] w, double offset, double eps, int c) {
        double[] y = new double[x.length];
        for (int r = 0; r < x.length / c; r++) {
            double ms = 0;
            for (int i = 0; i < c; i++) ms += x[r * c + i] * x[r * c + i];
            double s = 1 / Math.sqrt(ms / c + eps);
            for (int i = 0; i < c; i++) y[r * c + i] = x[r * c + i] * s * (offset + w[i]);
        }
        return y;
    }

    static double[] rope(double[] x, int bs, int t, int heads, int hd, float[] cos, float[] sin, int start) {
        double[] y = new double[x.length];
        int half = hd / 2;
        for (int b = 0; b < bs; b++)
            for (int i = 0; i < t; i++)
                for (int h = 0; h < heads; h++)
                    for (int d = 0; d < hd; d++) {
                        int at = ((b * t + i) * heads + h) * hd, p = start + i, f = d % half;
                        double other = d < half ? -x[at + d + half] : x[at + d - half]; // rotate_half
                        y[at + d] = x[at + d] * cos[p * half + f] + other * sin[p * half + f];
                    }
        return y;
    }

    /** Grouped-query causal attention with a window, plainly: query head h reads key/value head h / group. */
    static double[] attention(double[] q, double[] k, double[] v, int bs, int tq, int tk, AttentionSpec s,
                              float dropP, long seed) {
        int hd = s.headDim(), c = s.heads() * hd, ckv = s.kvHeads() * hd, group = s.heads() / s.kvHeads();
        double[] y = new double[bs * tq * c];
        for (int b = 0; b < bs; b++)
            for (int h = 0; h < s.heads(); h++) {
                int g = h / group, pair = b * s.heads() + h;
                for (int i = 0; i < tq; i++) {
                    int pos = i + tk - tq;
                    double[] w = new double[tk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= pos; j++) {
                        if (s.window() > 0 && pos - j >= s.window()) continue;
                        double dot = 0;
                        for (int d = 0; d < hd; d++) dot += q[(b * tq + i) * c + h * hd + d] * k[(b * tk + j) * ckv + g * hd + d];
                        w[j] = dot * s.scale();
                        max = Math.max(max, w[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= pos; j++) {
                        if (s.window() > 0 && pos - j >= s.window()) continue;
                        sum += (w[j] = Math.exp(w[j] - max));
                    }
                    for (int j = 0; j <= pos; j++) {
                        if (s.window() > 0 && pos - j >= s.window()) continue;
                        double p = w[j] / sum;
                        if (dropP > 0) {
                            p = dev.jllm.kernels.DropoutKernel.kept(seed, ((long) pair * tq + i) * tk + j, dropP)
                                    ? p / (1 - dropP) : 0;
                        }
                        for (int d = 0; d < hd; d++) y[(b * tq + i) * c + h * hd + d] += p * v[(b * tk + j) * ckv + g * hd + d];
                    }
                }
            }
        return y;
    }
}
