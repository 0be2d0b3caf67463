package dev.jllm.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The fast products against the plain loops of {@link ScalarMatMul}, on ragged shapes and offsets. */
class MatMulTest {
    private static final int THREADS = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(THREADS);
    }

    /** M, K, N: tiny, not multiples of the tile (4 × 32) or vector width, across the K block (384). */
    static Stream<Arguments> shapes() {
        int[][] shapes = {
            {1, 1, 1}, {1, 3, 17}, {3, 17, 1}, {5, 1, 33}, {17, 33, 3}, {33, 100, 17}, {4, 64, 32}, {8, 16, 64},
            {100, 33, 100}, {6, 385, 70}, {37, 400, 65}, {20, 768, 40}, {9, 5, 300}, {2, 800, 130},
        };
        return Stream.of(shapes).map(s -> Arguments.of(s[0], s[1], s[2]));
    }

    @ParameterizedTest(name = "xwt M={0} K={1} N={2}")
    @MethodSource("shapes")
    void xwtMatchesReference(int m, int k, int n) {
        for (boolean withBias : new boolean[] {false, true}) {
            Case c = new Case(m, k, n, 7);
            float[] x = c.matrix(m * k), w = c.matrix(n * k), bias = withBias ? c.plain(n) : null;
            float[] y = c.output(m * n), want = y.clone();
            MatMul.xwt(x, c.off, w, c.off, bias, y, c.off, m, k, n);
            ScalarMatMul.xwt(x, c.off, w, c.off, bias, want, c.off, m, k, n);
            c.assertClose(y, want);
        }
    }

    @ParameterizedTest(name = "dyw M={0} K={1} N={2}")
    @MethodSource("shapes")
    void dywAccumulatesLikeReference(int m, int k, int n) {
        Case c = new Case(m, k, n, 11);
        float[] dy = c.matrix(m * n), w = c.matrix(n * k), dx = c.matrix(m * k), want = dx.clone();
        MatMul.dyw(dy, c.off, w, c.off, dx, c.off, m, n, k);
        ScalarMatMul.dyw(dy, c.off, w, c.off, want, c.off, m, n, k);
        c.assertClose(dx, want);
    }

    @ParameterizedTest(name = "dytx M={0} K={1} N={2}")
    @MethodSource("shapes")
    void dytxAccumulatesLikeReference(int m, int k, int n) {
        Case c = new Case(m, k, n, 13);
        float[] dy = c.matrix(m * n), x = c.matrix(m * k), dw = c.matrix(n * k), want = dw.clone();
        MatMul.dytx(dy, c.off, x, c.off, dw, c.off, m, n, k);
        ScalarMatMul.dytx(dy, c.off, x, c.off, want, c.off, m, n, k);
        c.assertClose(dw, want);
    }

    @ParameterizedTest(name = "gemv K={1} N={2}")
    @MethodSource("shapes")
    void gemvMatchesReference(int ignoredM, int k, int n) {
        Case c = new Case(1, k, n, 17);
        float[] w = c.matrix(n * k), x = c.matrix(k), bias = c.plain(n), y = c.output(n), want = y.clone();
        MatMul.gemv(w, c.off, x, c.off, bias, y, c.off, n, k);
        ScalarMatMul.gemv(w, c.off, x, c.off, bias, want, c.off, n, k);
        c.assertClose(y, want);
    }

    @Test
    void rowsBeyondOnePackedChunkOfA() {
        // Gemm packs A in chunks of about A_CHUNK / min(K, KC) rows; cross a chunk boundary
        int k = 9, m = Gemm.A_CHUNK / k + 7, n = 35;
        Case c = new Case(m, k, n, 19);
        float[] x = c.matrix(m * k), w = c.matrix(n * k), y = c.output(m * n), want = y.clone();
        MatMul.xwt(x, c.off, w, c.off, null, y, c.off, m, k, n);
        ScalarMatMul.xwt(x, c.off, w, c.off, null, want, c.off, m, k, n);
        c.assertClose(y, want);
        float[] dw = c.matrix(n * k), dwWant = dw.clone();
        MatMul.dytx(y, c.off, x, c.off, dw, c.off, m, n, k);
        ScalarMatMul.dytx(y, c.off, x, c.off, dwWant, c.off, m, n, k);
        new Case(m, m, n, 0).assertClose(dw, dwWant);
    }

    @Test
    void emptyReductionWritesBiasOrLeavesGradientsAlone() {
        float[] bias = {1f, 2f, 3f}, y = new float[6];
        MatMul.xwt(new float[0], 0, new float[0], 0, bias, y, 0, 2, 0, 3);
        assertThat(y).containsExactly(1f, 2f, 3f, 1f, 2f, 3f);
        float[] dx = {5f, 6f};
        MatMul.dyw(new float[0], 0, new float[4], 0, dx, 0, 2, 0, 1);
        assertThat(dx).containsExactly(5f, 6f);
    }

    @Test
    void oneThreadAndManyThreadsGiveTheSameResult() {
        int m = 37, k = 50, n = 150; // with 32-wide panels (AVX-512): 5 panels, split by panels with 2 threads, by slivers with 3
        Case c = new Case(m, k, n, 23);
        float[] x = c.matrix(m * k), w = c.matrix(n * k), dy = c.matrix(m * n), bias = c.plain(n);
        float[][] results = new float[4][];
        // a first, uncompared pass: while the JIT warms up, reduceLanes (gemv) sums its lanes in another order
        int[] threadCounts = {1, 1, THREADS, 3};
        for (int t = 0; t < threadCounts.length; t++) {
            Parallel.setThreads(threadCounts[t]);
            float[] y = new float[m * n], dx = new float[m * k], dw = new float[n * k], v = new float[n];
            MatMul.xwt(x, 0, w, 0, bias, y, 0, m, k, n);
            MatMul.dyw(dy, 0, w, 0, dx, 0, m, n, k);
            MatMul.dytx(dy, 0, x, 0, dw, 0, m, n, k);
            MatMul.gemv(w, 0, x, 0, bias, v, 0, n, k);
            results[t] = concat(y, dx, dw, v);
        }
        // each output element is reduced in the same order whatever the split: equal to the last bit
        assertThat(results[2]).containsExactly(results[1]);
        assertThat(results[3]).containsExactly(results[1]);
    }

    @Test
    void vectorApiIsCompiledToSimdInTheTestJvm() {
        assertThat(VectorSupport.problem()).isNull();
        assertThat(VectorSupport.ENABLED).isTrue();
    }

    private static float[] concat(float[]... parts) {
        int size = 0;
        for (float[] p : parts) size += p.length;
        float[] all = new float[size];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    /** Random operands placed at an offset inside larger arrays, with sentinels around them. */
    private static final class Case {
        static final float SENTINEL = 1234.5f;
        final SplittableRandom random;
        final int k, off;

        Case(int m, int k, int n, long seed) {
            this.random = new SplittableRandom(seed * 1_000_003L + m * 31L + k * 17L + n);
            this.k = k;
            this.off = 1 + random.nextInt(7);
        }

        /** off sentinels, size uniform values in [-1, 1), three sentinels. */
        float[] matrix(int size) {
            float[] a = new float[off + size + 3];
            java.util.Arrays.fill(a, SENTINEL);
            for (int i = 0; i < size; i++) a[off + i] = (float) (random.nextDouble() * 2 - 1);
            return a;
        }

        /** An output to be overwritten: garbage inside, sentinels around. */
        float[] output(int size) {
            float[] a = matrix(size);
            for (int i = 0; i < size; i++) a[off + i] = Float.NaN;
            return a;
        }

        /** A plain array without offset (bias). */
        float[] plain(int size) {
            float[] a = new float[size];
            for (int i = 0; i < size; i++) a[i] = (float) (random.nextDouble() * 2 - 1);
            return a;
        }

        /** Float sums of k terms in [-1, 1] in different orders differ by far less than 1e-5·(k+1). */
        void assertClose(float[] got, float[] want) {
            assertThat(got).hasSameSizeAs(want);
            float tol = 1e-5f * (k + 1);
            for (int i = 0; i < got.length; i++) {
                if (Math.abs(got[i] - want[i]) > tol || Float.isNaN(got[i]) != Float.isNaN(want[i])) {
                    throw new AssertionError("element " + i + ": got " + got[i] + ", want " + want[i]
                            + " (tolerance " + tol + ")");
                }
            }
        }
    }
}
