package dev.jllm.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The batch product against the plain loops, and each row's result independent of the rows beside it. */
class BatchGemvTest {

    private static float[] random(int n, SplittableRandom rng) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }

    @Test
    void matchesTheReferenceAndEveryRowIsTheSameInAnyBatch() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int k : new int[] {7, 64, 77, 768}) {
            int n = 70;
            float[] w = random(n * k, rng), bias = random(n, rng), x = random(9 * k, rng);
            float[] one = new float[n];
            float[] all = new float[9 * n];
            BatchGemv.multiply(x, 0, w, 0, bias, all, 0, 9, k, n);
            float[] ref = new float[9 * n];
            ScalarMatMul.xwt(x, 0, w, 0, bias, ref, 0, 9, k, n);
            for (int i = 0; i < 9 * n; i++) {
                assertThat(all[i]).as("k %d element %d", k, i).isCloseTo(ref[i], org.assertj.core.data.Offset.offset(1e-4f * k));
            }
            for (int m = 1; m <= 9; m++) {
                float[] some = new float[m * n];
                BatchGemv.multiply(x, 0, w, 0, bias, some, 0, m, k, n);
                assertThat(some).as("k %d, first %d rows", k, m).containsExactly(Arrays.copyOf(all, m * n));
            }
            for (int i = 0; i < 9; i++) { // one row alone, from its own offset
                BatchGemv.multiply(x, i * k, w, 0, bias, one, 0, 1, k, n);
                assertThat(one).as("k %d, row %d alone", k, i).containsExactly(Arrays.copyOfRange(all, i * n, (i + 1) * n));
            }
        }
    }
}
