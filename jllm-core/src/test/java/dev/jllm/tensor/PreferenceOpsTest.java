package dev.jllm.tensor;

import static dev.jllm.tensor.GradCheck.check;
import static dev.jllm.tensor.GradCheck.param;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ops DPO is built from, against plain double references: forward values and finite-difference gradients. */
class PreferenceOpsTest {

    private static final double FWD = 1e-5, GRAD = 1e-4;

    @ParameterizedTest
    @ValueSource(ints = {1, 8, 21})
    void meanTokenLogProbsAveragesTheMaskedNextTokenLogProbs(int v) {
        Random rnd = new Random(v);
        int b = 3, t = 5;
        Tensor logits = param(rnd, b, t, v);
        int[] ids = new int[b * t];
        for (int i = 0; i < ids.length; i++) ids[i] = rnd.nextInt(v);
        boolean[] mask = new boolean[b * t];
        for (int i = 0; i < mask.length; i++) mask[i] = i % t >= 2 || (i / t == 1 && i % t == 1);
        mask[2 * t + 4] = false; // a padded tail
        mask[0] = true; // position 0 is never predicted: it must not count
        check("meanTokenLogProbs", List.of(logits), x -> Ops.meanTokenLogProbs(x.get(0), ids, mask),
                r -> reference(r[0], ids, mask, b, t, v), FWD, GRAD);
    }

    @Test
    void aRowWithoutSelectedTokensIsNaNAsInPyTorch() {
        Tensor logits = Tensor.zeros(1, 3, 4);
        assertThat(Ops.meanTokenLogProbs(logits, new int[3], new boolean[] {true, false, false}).item()).isNaN();
    }

    @Test
    void rejectsMismatchedShapesAndIds() {
        Tensor logits = Tensor.zeros(1, 3, 4);
        assertThatThrownBy(() -> Ops.meanTokenLogProbs(logits, new int[2], new boolean[3]))
                .hasMessageContaining("need 3 ids");
        assertThatThrownBy(() -> Ops.meanTokenLogProbs(logits, new int[] {0, 9, 0}, new boolean[] {true, true, true}))
                .hasMessageContaining("id 9");
    }

    @Test
    void logSigmoid() {
        Random rnd = new Random(7);
        Tensor x = param(rnd, 4, 5);
        x.data()[0] = 40f; // large magnitudes: no overflow either way
        x.data()[1] = -40f;
        check("logSigmoid", List.of(x), t -> Ops.logSigmoid(t.get(0)), r -> {
            double[] y = new double[r[0].length];
            for (int i = 0; i < y.length; i++) y[i] = -Math.log1p(Math.exp(-r[0][i]));
            return y;
        }, FWD, GRAD);
        assertThat(Ops.logSigmoid(Tensor.of(new float[] {-200f}, 1)).item()).isEqualTo(-200f);
    }

    /** Direct translation of the book's compute_logprobs, in double. */
    private static double[] reference(double[] logits, int[] ids, boolean[] mask, int b, int t, int v) {
        double[] logp = Ref.logSoftmax(logits, v);
        double[] y = new double[b];
        for (int s = 0; s < b; s++) {
            double sum = 0;
            int n = 0;
            for (int j = 1; j < t; j++) {
                if (!mask[s * t + j]) continue;
                sum += logp[(s * t + j - 1) * v + ids[s * t + j]];
                n++;
            }
            y[s] = sum / n;
        }
        return y;
    }
}
