package dev.jllm.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The per-row batch product against the plain loops, each row as alone and as {@link MatMul#gemv}. */
class XwtPerRowTest {

    private static float[] random(int n, SplittableRandom rng) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }

    /**
     * Each row runs the same arithmetic as gemv; the JIT may still sum a vector's lanes in another order in one
     * compiled version than in another, so rows agree to the last bits, not bitwise.
     */
    private static void close(float[] actual, float[] expected, String what) {
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as(what + " [" + i + "]").isCloseTo(expected[i],
                    org.assertj.core.data.Offset.offset(1e-5f * Math.max(1f, Math.abs(expected[i]))));
        }
    }

    @Test
    void matchesTheReferenceAndEveryRowIsTheSameInAnyBatch() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int k : new int[] {7, 64, 77, 768}) {
            int n = 70;
            float[] w = random(n * k, rng), bias = random(n, rng), x = random(9 * k, rng);
            float[] one = new float[n];
            float[] all = new float[9 * n];
            MatMul.xwtPerRow(x, 0, w, 0, bias, all, 0, 9, k, n);
            float[] ref = new float[9 * n];
            ScalarMatMul.xwt(x, 0, w, 0, bias, ref, 0, 9, k, n);
            for (int i = 0; i < 9 * n; i++) {
                assertThat(all[i]).as("k %d element %d", k, i).isCloseTo(ref[i], org.assertj.core.data.Offset.offset(1e-4f * k));
            }
            for (int m = 1; m <= 9; m++) {
                float[] some = new float[m * n];
                MatMul.xwtPerRow(x, 0, w, 0, bias, some, 0, m, k, n);
                close(some, Arrays.copyOf(all, m * n), "k " + k + ", first " + m + " rows");
            }
            for (int i = 0; i < 9; i++) { // one row alone, from its own offset
                MatMul.gemv(w, 0, x, i * k, bias, one, 0, n, k);
                close(one, Arrays.copyOfRange(all, i * n, (i + 1) * n), "k " + k + ", row " + i + " as gemv");
            }
        }
    }
}
