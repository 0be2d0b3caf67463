package dev.jllm.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Bf16Test {

    @Test
    void roundsToTheNearestBf16TiesToEven() {
        assertThat(Bf16.fromFloat(1f)).isEqualTo((short) 0x3F80);
        assertThat(Bf16.fromFloat(1f + 0x1p-7f)).isEqualTo((short) 0x3F81); // representable
        assertThat(Bf16.fromFloat(1f + 0x1p-8f)).isEqualTo((short) 0x3F80); // halfway: to even (down)
        assertThat(Bf16.fromFloat(1f + 3 * 0x1p-8f)).isEqualTo((short) 0x3F82); // halfway: to even (up)
        assertThat(Bf16.fromFloat(1f + 0x1p-8f + 0x1p-20f)).isEqualTo((short) 0x3F81); // above halfway: up
        assertThat(Bf16.fromFloat(-2.5f)).isEqualTo((short) 0xC020);
        assertThat(Float.isNaN(Bf16.toFloat(Bf16.fromFloat(Float.NaN)))).isTrue();
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 10_000; i++) {
            float v = (float) r.nextGaussian();
            assertThat(Math.abs(Bf16.toFloat(Bf16.fromFloat(v)) - v)).isLessThanOrEqualTo(Math.abs(v) * 0x1p-8f);
        }
    }

    @Test
    void gemvEqualsTheProductOfTheWidenedWeightsAndStaysWithinBf16RoundingOfFp32() {
        SplittableRandom r = new SplittableRandom(2);
        for (int[] nk : new int[][] {{1, 1}, {3, 7}, {65, 33}, {130, 768}, {257, 100}, {5, 35}}) {
            int n = nk[0], k = nk[1];
            float[] w = new float[n * k], x = new float[k + 3], bias = new float[n];
            for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            for (int i = 0; i < n; i++) bias[i] = (float) r.nextGaussian();
            int[] packed = Bf16.pack(w, n, k);
            float[] y = new float[n + 2];
            Bf16.gemv(packed, x, 3, bias, y, 2, n, k);
            for (int j = 0; j < n; j++) {
                double widened = bias[j], exact = bias[j], magnitude = 0;
                for (int p = 0; p < k; p++) {
                    widened += (double) Bf16.toFloat(Bf16.fromFloat(w[j * k + p])) * x[3 + p];
                    exact += (double) w[j * k + p] * x[3 + p];
                    magnitude += Math.abs((double) w[j * k + p] * x[3 + p]);
                }
                float got = y[2 + j];
                assertThat((double) got).as("n %d k %d row %d", n, k, j).isCloseTo(widened, org.assertj.core.data.Offset.offset(1e-5 * (magnitude + 1)));
                assertThat(Math.abs(got - exact)).isLessThanOrEqualTo(magnitude * 0x1p-8 + 1e-5 * (magnitude + 1));
            }
        }
    }

    @Test
    void gemvInPlaceOnASegmentAndInUnitsOfOneParallelLoopEqualsTheScalarReferenceAtRaggedSizes() {
        SplittableRandom r = new SplittableRandom(4);
        try {
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                for (int[] nk : new int[][] {{1, 2}, {2, 34}, {3, 62}, {63, 1026}, {65, 32}, {129, 18}, {64, 66}}) {
                    int n = nk[0], k = nk[1];
                    float[] w = new float[n * k], x = new float[k + 1], bias = new float[n];
                    for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
                    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
                    for (int i = 0; i < n; i++) bias[i] = (float) r.nextGaussian();
                    // the bf16 matrix as a checkpoint stores it: row-major shorts, little-endian (shared: workers read it)
                    try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
                        java.lang.foreign.MemorySegment seg = arena.allocate(2L * n * k);
                        for (int i = 0; i < w.length; i++) {
                            seg.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 2L * i, Bf16.fromFloat(w[i]));
                        }
                        float[] y = new float[n + 1], y2 = new float[n + 1], other = new float[n];
                        Bf16.gemv(seg, x, 1, bias, y, 1, n, k);
                        // the same product in one loop with another, as a decode step runs q, k and v
                        Parallel.forEachUnit(Bf16.product(seg, x, 1, bias, y2, 1, 1, k, n), Bf16.product(seg, x, 0, null, other, 0, 1, k, n));
                        for (int j = 0; j < n; j++) {
                            double want = bias[j], magnitude = 0, wantOther = 0;
                            for (int p = 0; p < k; p++) {
                                double widened = Bf16.toFloat(Bf16.fromFloat(w[j * k + p]));
                                want += widened * x[1 + p];
                                wantOther += widened * x[p];
                                magnitude += Math.abs(widened * x[1 + p]) + Math.abs(widened * x[p]);
                            }
                            String at = "threads " + threads + " n " + n + " k " + k + " row " + j;
                            assertThat((double) y[1 + j]).as(at).isCloseTo(want, org.assertj.core.data.Offset.offset(1e-5 * (magnitude + 1)));
                            assertThat((double) other[j]).as(at).isCloseTo(wantOther, org.assertj.core.data.Offset.offset(1e-5 * (magnitude + 1)));
                            assertThat(y2[1 + j]).as(at).isEqualTo(y[1 + j]);
                            // a row alone sums in the order it does beside its neighbour
                            assertThat(Bf16.dot(seg, j, x, 1, k) + bias[j]).as(at).isEqualTo(y[1 + j]);
                        }
                        assertThat(y[0]).isZero();
                    }
                }
            }
        } finally {
            Parallel.setThreads(Runtime.getRuntime().availableProcessors());
        }
    }

    @Test
    void xwtEqualsTheFloatProductOfTheWidenedWeightsWithEveryTile() {
        SplittableRandom r = new SplittableRandom(3);
        for (int[] mkn : new int[][] {{2, 9, 5}, {5, 33, 70}, {37, 100, 65}, {64, 7, 129}}) {
            int m = mkn[0], k = mkn[1], n = mkn[2];
            float[] w = gaussian(n * k, r), x = gaussian(m * k, r), bias = gaussian(n, r);
            int[] packed = Bf16.pack(w, n, k);
            float[] widened = new float[n * k];
            for (int i = 0; i < w.length; i++) widened[i] = Bf16.toFloat(Bf16.fromFloat(w[i]));
            float[] want = new float[m * n];
            ScalarMatMul.xwt(x, 0, widened, 0, bias, want, 0, m, k, n);
            float[] y = new float[m * n];
            Bf16.xwt(x, 0, packed, bias, y, 0, m, k, n);
            assertClose(y, want, k);
            for (Tile t : Tile.values()) {
                for (GemmPlan plan : new GemmPlan[] {GemmPlan.forTile(t), new GemmPlan(t, 6, 2)}) {
                    java.util.Arrays.fill(y, Float.NaN);
                    Gemm.multiplyBf16(plan, x, 0, packed, bias, y, 0, m, n, k);
                    assertClose(y, want, k);
                }
            }
        }
    }

    /** W [n, k] rounded to bfloat16, as safetensors stores it (row-major, little-endian), off the heap. */
    static java.lang.foreign.MemorySegment bf16Segment(float[] w) {
        var seg = java.lang.foreign.Arena.ofAuto().allocate(2L * w.length, 2);
        var le = java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < w.length; i++) seg.set(le, 2L * i, Bf16.fromFloat(w[i]));
        return seg;
    }

    @Test
    void productsOverABf16MatrixInPlaceEqualTheFloatProductsOfItsWidenedValues() {
        SplittableRandom r = new SplittableRandom(4);
        // rows through gemv (m <= 4) and through the blocked product; odd k; a matrix of two blocks (n·k > WIDE_BLOCK)
        for (int[] mkn : new int[][] {{1, 8, 5}, {3, 33, 70}, {5, 33, 70}, {37, 100, 65}, {9, 64, 129},
                {6, 1000, Bf16.WIDE_BLOCK / 1000 + 37}}) {
            int m = mkn[0], k = mkn[1], n = mkn[2];
            float[] w = new float[n * k], x = new float[m * k], bias = new float[n], dy = new float[m * n];
            for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            for (int i = 0; i < n; i++) bias[i] = (float) r.nextGaussian();
            for (int i = 0; i < dy.length; i++) dy[i] = (float) r.nextGaussian();
            var seg = bf16Segment(w);
            float[] widened = new float[n * k];
            Bf16.widen(seg, 0, n * k, widened, 0);
            for (int i = 0; i < w.length; i++) assertThat(widened[i]).isEqualTo(Bf16.toFloat(Bf16.fromFloat(w[i])));

            float[] want = new float[m * n], y = new float[m * n];
            ScalarMatMul.xwt(x, 0, widened, 0, bias, want, 0, m, k, n);
            Bf16.xwt(x, 0, seg, bias, y, 0, m, k, n);
            assertClose(y, want, k);

            float[] dxWant = new float[m * k], dx = new float[m * k];
            java.util.Arrays.fill(dxWant, 0.5f); // accumulates
            java.util.Arrays.fill(dx, 0.5f);
            ScalarMatMul.dyw(dy, 0, widened, 0, dxWant, 0, m, n, k);
            Bf16.dyw(dy, 0, seg, dx, 0, m, n, k);
            assertClose(dx, dxWant, n);
        }
    }

    @Test
    void gemvRowsComputesEachRowAsGemvAloneForPackedAndMappedWeights() {
        SplittableRandom r = new SplittableRandom(4);
        for (int[] mkn : new int[][] {{1, 8, 5}, {3, 34, 70}, {9, 768, 130}, {16, 100, 65}}) {
            int m = mkn[0], k = mkn[1], n = mkn[2];
            float[] w = gaussian(n * k, r), x = gaussian(m * k, r), bias = gaussian(n, r);
            int[] packed = Bf16.pack(w, n, k);
            // the same bits as a safetensors bf16 matrix in memory: row-major little-endian shorts
            java.lang.foreign.MemorySegment mapped = java.lang.foreign.MemorySegment.ofArray(new byte[2 * n * k]);
            for (int i = 0; i < n * k; i++) {
                mapped.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN),
                        2L * i, Bf16.fromFloat(w[i]));
            }
            float[] rows = new float[m * n], rowsMapped = new float[m * n];
            Bf16.gemvRows(packed, x, 0, bias, rows, 0, m, k, n);
            Bf16.gemvRows(mapped, x, 0, bias, rowsMapped, 0, m, k, n);
            float[] one = new float[n], oneMapped = new float[n];
            for (int i = 0; i < m; i++) {
                Bf16.gemv(packed, x, i * k, bias, one, 0, n, k);
                Bf16.gemv(mapped, x, i * k, bias, oneMapped, 0, n, k);
                for (int j = 0; j < n; j++) {
                    // the same arithmetic (the JIT's lane order of a reduction may move the last bit)
                    assertThat(rows[i * n + j]).as("m %d k %d row %d col %d", m, k, i, j)
                            .isCloseTo(one[j], org.assertj.core.data.Offset.offset(1e-5f * Math.max(1f, Math.abs(one[j]))));
                    assertThat(rowsMapped[i * n + j]).isCloseTo(oneMapped[j],
                            org.assertj.core.data.Offset.offset(1e-5f * Math.max(1f, Math.abs(one[j]))));
                    assertThat(rowsMapped[i * n + j]).isCloseTo(one[j],
                            org.assertj.core.data.Offset.offset(1e-4f * (k + 1)));
                }
            }
        }
    }

    private static float[] gaussian(int n, SplittableRandom r) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    private static void assertClose(float[] got, float[] want, int k) {
        for (int i = 0; i < got.length; i++) {
            assertThat((double) got[i]).as("element %d", i)
                    .isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-4 * (k + 1)));
        }
    }
}
