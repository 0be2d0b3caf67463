package dev.jllm.kernels;

import dev.jllm.kernels.quant.Dequantize;
import dev.jllm.kernels.quant.GgmlType;
import dev.jllm.kernels.quant.QuantizedGemv;
import dev.jllm.kernels.quant.QuantizedMatrix;
import dev.jllm.kernels.quant.Quantize;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * Decoding's matrix-vector kernels at ragged sizes against a float64 sum of the same (widened or dequantized)
 * weights: bf16 over a packed int array (the array loop) and over native memory (the segment loop), which must agree
 * bit for bit; Q8_0 and Q4_0 rows with an odd number of blocks, matrices at unaligned offsets of a bigger segment, 1
 * and 2 threads. Run in the test JVM by {@link DecodeKernelTest}, and as a program ({@link #main}) in a child JVM
 * restricted to 256-bit vectors.
 */
final class DecodeKernelCheck {
    private DecodeKernelCheck() {}

    static final int[][] BF16_SHAPES = {{1, 2}, {2, 34}, {3, 62}, {63, 1026}, {65, 32}, {129, 18}, {64, 66}, {5, 7}};
    static final int[][] QUANT_SHAPES = {{1, 32}, {3, 64}, {17, 96}, {33, 32 * 65}, {2, 32 * 64}};

    /** Runs every check and returns how many products were checked; throws AssertionError on a mismatch. */
    static int check() {
        int products = 0;
        SplittableRandom r = new SplittableRandom(7);
        int saved = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                for (int[] nk : BF16_SHAPES) products += bf16(nk[0], nk[1], r);
                for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0}) {
                    for (int[] nk : QUANT_SHAPES) products += quantized(type, nk[0], nk[1], r);
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
        return products;
    }

    private static int bf16(int n, int k, SplittableRandom r) {
        float[] w = gaussian(n * k, r), x = gaussian(k + 1, r);
        int[] packed = Bf16.pack(w, n, k);
        // the same ints at an offset inside a bigger array (a heap segment whose base is not 0), and in native memory
        int[] bigger = new int[packed.length + 3];
        System.arraycopy(packed, 0, bigger, 3, packed.length);
        float[] yArray = new float[n], yOffset = new float[n], yNative = new float[n];
        Bf16.gemv(packed, x, 1, null, yArray, 0, n, k);
        Parallel.forEachUnit(Bf16.product(MemorySegment.ofArray(bigger).asSlice(12, 4L * packed.length), x, 1, null, yOffset, 0, 1, k, n));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment nat = arena.allocate(4L * packed.length);
            MemorySegment.copy(MemorySegment.ofArray(packed), 0, nat, 0, nat.byteSize());
            Parallel.forEachUnit(Bf16.product(nat, x, 1, null, yNative, 0, 1, k, n));
        }
        for (int j = 0; j < n; j++) {
            double want = 0, magnitude = 0;
            for (int p = 0; p < k; p++) {
                double widened = Bf16.toFloat(Bf16.fromFloat(w[j * k + p]));
                want += widened * x[1 + p];
                magnitude += Math.abs(widened * x[1 + p]);
            }
            String at = "bf16 [" + n + ", " + k + "] row " + j + " threads " + Parallel.threads();
            close(yArray[j], want, magnitude, at);
            if (yArray[j] != yNative[j] || yArray[j] != yOffset[j]) {
                throw new AssertionError(at + ": array " + yArray[j] + ", native " + yNative[j] + ", offset array " + yOffset[j]);
            }
        }
        return 3;
    }

    private static int quantized(GgmlType type, int n, int k, SplittableRandom r) {
        float[] w = gaussian(n * k, r), x = gaussian(k + 3, r);
        QuantizedMatrix q = Quantize.matrix(w, n, k, type);
        float[] dense = Dequantize.matrix(q);
        // the blocks at an odd offset of a bigger segment, as a tensor inside a mapped file may lie
        MemorySegment bigger = MemorySegment.ofArray(new byte[(int) q.byteSize() + 5]);
        MemorySegment.copy(q.data(), 0, bigger, 5, q.byteSize());
        QuantizedMatrix shifted = new QuantizedMatrix(type, n, k, bigger.asSlice(5, q.byteSize()));
        float[] y = new float[n], y2 = new float[n];
        QuantizedGemv.multiply(q, x, 3, y, 0);
        QuantizedGemv.multiply(shifted, x, 3, y2, 0);
        for (int j = 0; j < n; j++) {
            double want = 0, magnitude = 0;
            for (int p = 0; p < k; p++) {
                want += (double) dense[j * k + p] * x[3 + p];
                magnitude += Math.abs((double) dense[j * k + p] * x[3 + p]);
            }
            String at = type + " [" + n + ", " + k + "] row " + j + " threads " + Parallel.threads();
            close(y[j], want, magnitude, at);
            if (y[j] != y2[j]) throw new AssertionError(at + ": " + y[j] + " at offset 0, " + y2[j] + " at offset 5");
        }
        return 2;
    }

    private static void close(float got, double want, double magnitude, String at) {
        if (!(Math.abs(got - want) <= 1e-5 * (magnitude + 1))) throw new AssertionError(at + ": " + got + " != " + want);
    }

    private static float[] gaussian(int size, SplittableRandom r) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    /** Runs {@link #check} and prints the vector width and the count (for the child JVM of the test). */
    public static void main(String[] args) {
        try {
            int products = check();
            System.out.println("floats per vector " + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() + ", "
                    + products + " products checked");
        } catch (Throwable e) {
            System.out.println("FAILED: " + e);
            System.exit(1);
        }
    }
}
