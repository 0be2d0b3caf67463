package dev.jllm.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The vector keep/drop factors make exactly the scalar {@link DropoutKernel#kept} decisions. */
class DropoutKernelTest {

    @Test
    void keepFactorsMatchTheScalarDecisions() {
        SplittableRandom r = new SplittableRandom(3);
        float[] ps = {0f, 1e-7f, 0.1f, 0.5f, 0.3333333f, 0.9f, 0.99999994f};
        for (float p : ps) {
            for (int trial = 0; trial < 20; trial++) {
                long seed = r.nextLong();
                long counter0 = trial == 0 ? 0 : trial == 1 ? Long.MAX_VALUE - 40 : r.nextLong(1L << 40);
                int n = 1 + r.nextInt(70), off = r.nextInt(5);
                float scale = 1f / (1f - p);
                float[] out = new float[off + n + 3];
                out[off + n] = 42f; // past the end: untouched
                DropoutKernel.keepFactors(seed, counter0, p, scale, out, off, n);
                for (int j = 0; j < n; j++) {
                    float expected = DropoutKernel.kept(seed, counter0 + j, p) ? scale : 0f;
                    assertThat(out[off + j]).as("p %s, seed %d, counter %d", p, seed, counter0 + j).isEqualTo(expected);
                }
                assertThat(out[off + n]).isEqualTo(42f);
            }
        }
    }

    @Test
    void forwardAndBackwardApplyTheSameMask() {
        int n = 5000;
        float p = 0.1f;
        float[] x = new float[n], y = new float[n], dy = new float[n], dx = new float[n];
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
            dy[i] = (float) r.nextGaussian();
            dx[i] = 1f;
        }
        DropoutKernel.forward(x, y, n, p, 77);
        DropoutKernel.backward(dy, dx, n, p, 77);
        int dropped = 0;
        float scale = 1f / (1f - p);
        for (int i = 0; i < n; i++) {
            boolean kept = DropoutKernel.kept(77, i, p);
            if (!kept) dropped++;
            assertThat(y[i]).isEqualTo(kept ? x[i] * scale : 0f);
            assertThat(dx[i]).isCloseTo(kept ? 1f + dy[i] * scale : 1f, within(1e-6f));
        }
        assertThat(dropped).isBetween(400, 600); // about p·n
    }
}
