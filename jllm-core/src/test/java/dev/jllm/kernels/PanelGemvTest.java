package dev.jllm.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The panel product of a decoding batch against the plain loops, and each row the same in any batch. */
class PanelGemvTest {

    @Test
    void matchesTheReferenceAndEveryRowIsBitwiseTheSameInAnyBatch() {
        SplittableRandom rng = new SplittableRandom(6);
        for (int[] kn : new int[][] {{7, 5}, {64, 70}, {77, 33}, {768, 130}, {16, 16}}) {
            int k = kn[0], n = kn[1], rows = 11;
            float[] w = new float[n * k], x = new float[rows * k], bias = new float[n];
            for (int i = 0; i < w.length; i++) w[i] = (float) rng.nextGaussian();
            for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
            for (int i = 0; i < n; i++) bias[i] = (float) rng.nextGaussian();
            float[] panels = PanelGemv.pack(w, 0, n, k);
            float[] all = new float[rows * n], ref = new float[rows * n];
            PanelGemv.multiply(panels, x, 0, bias, all, 0, rows, k, n);
            ScalarMatMul.xwt(x, 0, w, 0, bias, ref, 0, rows, k, n);
            for (int i = 0; i < all.length; i++) {
                assertThat(all[i]).as("k %d n %d element %d", k, n, i)
                        .isCloseTo(ref[i], org.assertj.core.data.Offset.offset(1e-5f * k));
            }
            for (int m = 1; m <= rows; m++) { // the first m rows alone, and the last row alone from its offset
                float[] some = new float[m * n];
                PanelGemv.multiply(panels, x, 0, bias, some, 0, m, k, n);
                assertThat(some).as("k %d n %d, first %d rows", k, n, m).containsExactly(Arrays.copyOf(all, m * n));
            }
            float[] last = new float[n];
            PanelGemv.multiply(panels, x, (rows - 1) * k, bias, last, 0, 1, k, n);
            assertThat(last).containsExactly(Arrays.copyOfRange(all, (rows - 1) * n, rows * n));
        }
    }
}
