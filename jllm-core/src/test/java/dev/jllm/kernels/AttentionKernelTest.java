package dev.jllm.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The blocked attention (packed products over blocks of {@link AttentionKernel#QB} queries) against the
 * row-by-row path, on shapes that cross block boundaries, with cached keys (Tq &lt; Tk) and with dropout.
 * The row-by-row path itself is checked against PyTorch and finite differences in dev.jllm.tensor.
 */
class AttentionKernelTest {

    @ParameterizedTest(name = "B={0} Tq={1} Tk={2} C={3} H={4} p={5}")
    @CsvSource({
        "1, 5, 5, 8, 2, 0",
        "2, 150, 150, 48, 3, 0",
        "1, 70, 200, 40, 2, 0",
        "2, 129, 129, 32, 2, 0.2",
    })
    void blockedMatchesRowByRow(int batch, int tq, int tk, int channels, int heads, float dropP) {
        var d = new AttentionKernel.Dims(batch, tq, tk, channels, heads);
        SplittableRandom random = new SplittableRandom(tq * 31L + tk);
        float[] q = random(random, batch * tq * channels), k = random(random, batch * tk * channels);
        float[] v = random(random, batch * tk * channels), dout = random(random, batch * tq * channels);
        long seed = 99;

        float[] out = new float[q.length], lse = new float[batch * heads * tq];
        float[] outRef = new float[q.length], lseRef = new float[lse.length];
        AttentionKernel.forward(q, k, v, out, lse, d, dropP, seed);
        AttentionKernel.forwardRows(q, k, v, outRef, lseRef, d, dropP, seed);
        assertClose("out", out, outRef);
        assertClose("lse", lse, lseRef);

        // gradients accumulate into what is already there
        float[] dq = random(random, q.length), dk = random(random, k.length), dv = random(random, v.length);
        float[] dqRef = dq.clone(), dkRef = dk.clone(), dvRef = dv.clone();
        AttentionKernel.backward(q, k, v, out, lse, dout, dq, dk, dv, d, dropP, seed);
        AttentionKernel.backwardRows(q, k, v, outRef, lseRef, dout, dqRef, dkRef, dvRef, d, dropP, seed);
        assertClose("dq", dq, dqRef);
        assertClose("dk", dk, dkRef);
        assertClose("dv", dv, dvRef);
    }

    private static void assertClose(String name, float[] got, float[] want) {
        for (int i = 0; i < got.length; i++) {
            float tol = 1e-4f * (1 + Math.abs(want[i]));
            assertThat(Math.abs(got[i] - want[i])).as("%s[%d]: %s vs %s", name, i, got[i], want[i]).isLessThanOrEqualTo(tol);
        }
    }

    private static float[] random(SplittableRandom random, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = (float) (random.nextDouble() * 2 - 1);
        return a;
    }
}
