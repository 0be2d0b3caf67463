package dev.jllm.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * bfloat16 weights for decoding: the top 16 bits of a float32 (same exponent range, 8 bits of mantissa), so a
 * weight matrix takes half the bytes and a decode step, which streams every weight once, reads half as much.
 * Widening back is exact (a 16-bit shift or a mask); it happens in the matrix-vector loop, and the sums stay in
 * float32. Weights are stored as pairs in ints ({@link #pack}): widening a vector of pairs is two plain integer ops.
 */
public final class Bf16 {
    private Bf16() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** As many ints as F has floats: each int widens to one float of the even half and one of the odd half. */
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final int V = F.length();
    private static final int ROWS_PER_UNIT = 64;

    /**
     * W [n, k] as bfloat16 pairs, row by row: int q of a row holds element 2q in its low half and 2q + 1 in its
     * high half (a zero pads an odd k), so that one int load yields two floats by a shift and a mask.
     */
    public static int[] pack(float[] w, int n, int k) {
        int half = (k + 1) / 2;
        int[] out = new int[n * half];
        for (int j = 0; j < n; j++) {
            for (int q = 0; q < half; q++) {
                int lo = fromFloat(w[j * k + 2 * q]) & 0xFFFF;
                int hi = 2 * q + 1 < k ? fromFloat(w[j * k + 2 * q + 1]) & 0xFFFF : 0;
                out[j * half + q] = lo | hi << 16;
            }
        }
        return out;
    }

    /** The nearest bfloat16 of {@code value} (ties to even; NaN stays NaN). */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) return (short) ((bits >>> 16) | 0x40); // keep it a (quiet) NaN
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    /** The float a bfloat16 bit pattern denotes (exact). */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /**
     * Y[M,N] = X[M,K] · W[N,K]ᵀ (+ bias[N] when not null), W {@link #pack packed} bfloat16 (a decoder's prefill,
     * LoRA over a frozen bf16 base). Few rows stream W once for all of them ({@link #gemvRows}); more go through the packed
     * product, which widens each weight once per K block into its float32 B panels and runs the machine's
     * register tile on them. Overwrites Y.
     */
    public static void xwt(float[] x, int xOff, int[] w, float[] bias, float[] y, int yOff, int m, int k, int n) {
        if (m <= Gemv.MAX_ROWS || !VectorSupport.ENABLED) {
            gemvRows(w, x, xOff, bias, y, yOff, m, k, n);
        } else {
            Gemm.multiplyBf16(GemmPlan.active(), x, xOff, w, bias, y, yOff, m, n, k);
        }
    }

    /** y[N] = W[N,K] · x[K] (+ bias[N] when not null), W {@link #pack packed} bfloat16. Overwrites y. */
    public static void gemv(int[] w, float[] x, int xOff, float[] bias, float[] y, int yOff, int n, int k) {
        gemvRows(w, x, xOff, bias, y, yOff, 1, k, n);
    }

    /**
     * Y[M,N] = X[M,K] · W[N,K]ᵀ (+ bias) for the few rows of a decoding batch, W {@link #pack packed} bfloat16:
     * each weight row is streamed from memory once for all M rows, and each row of Y is computed with the
     * arithmetic of {@link #gemv} alone, whatever M. Overwrites Y.
     */
    public static void gemvRows(int[] w, float[] x, int xOff, float[] bias, float[] y, int yOff, int m, int k, int n) {
        Parallel.forEachUnit(product(MemorySegment.ofArray(w), x, xOff, bias, y, yOff, m, k, n));
    }

    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * y[N] = W[N,K] · x[K] (+ bias) with W a row-major bfloat16 matrix in place, as safetensors stores it (for
     * instance in a memory-mapped file): read as little-endian ints, a row is exactly the {@link #pack packed}
     * layout, so nothing is copied. K must be even.
     */
    public static void gemv(MemorySegment w, float[] x, int xOff, float[] bias, float[] y, int yOff, int n, int k) {
        gemvRows(w, x, xOff, bias, y, yOff, 1, k, n);
    }

    /**
     * Y[M,N] = X[M,K] · W[N,K]ᵀ (+ bias), W a bfloat16 matrix in place (as {@link #gemv(MemorySegment, float[], int,
     * float[], float[], int, int, int)}): each weight row streamed once for all M rows, each row of Y computed as
     * gemv computes it alone. Overwrites Y.
     */
    public static void gemvRows(MemorySegment w, float[] x, int xOff, float[] bias, float[] y, int yOff, int m, int k,
                                int n) {
        if (k % 2 != 0) throw new IllegalArgumentException("bf16 matrix rows of odd length " + k);
        Parallel.forEachUnit(product(w, x, xOff, bias, y, yOff, m, k, n));
    }

    /**
     * The product of {@link #gemvRows} as units of weight rows for {@link Parallel#forEachUnit(Parallel.Units...)},
     * so that a decode step can run several products of one input (q, k, v; gate, up) in one parallel loop. W holds
     * the rows in the {@link #pack packed} layout: (K + 1) / 2 little-endian ints each (a {@link #pack}ed array seen
     * as a segment, or a bfloat16 matrix of even K in place). Each row of x is split into its even and odd elements
     * here, once per product.
     */
    public static Parallel.Units product(MemorySegment w, float[] x, int xOff, float[] bias, float[] y, int yOff, int m,
                                         int k, int n) {
        FlopCounter.add(m, n, k);
        int half = (k + 1) / 2;
        if (w.byteSize() != 4L * half * n) {
            throw new IllegalArgumentException("bf16 matrix [" + n + ", " + k + "] takes " + 4L * half * n + " bytes, not " + w.byteSize());
        }
        float[][] even = new float[m][half], odd = new float[m][half];
        for (int i = 0; i < m; i++) split(x, xOff + i * k, k, even[i], odd[i]);
        int units = (n + ROWS_PER_UNIT - 1) / ROWS_PER_UNIT;
        return new Parallel.Units() {
            public int count() {
                return units;
            }

            public void run(int u) {
                rows(w, half, even, odd, bias, y, yOff, n, u * ROWS_PER_UNIT, Math.min(n, (u + 1) * ROWS_PER_UNIT));
            }
        };
    }

    /** Row {@code j} of a {@link #pack packed} bfloat16 matrix in place (rows of (k + 1) / 2 ints) · x[xOff ...]. */
    public static float dot(MemorySegment w, int j, float[] x, int xOff, int k) {
        int half = (k + 1) / 2;
        float[][] even = new float[1][half], odd = new float[1][half];
        split(x, xOff, k, even[0], odd[0]);
        float[] y = new float[1];
        rows(w, half, even, odd, null, y, -j, 1, j, j + 1);
        return y[0];
    }

    /** x[xOff .. +k) split into its even and odd elements (a zero pads an odd k), the order packed pairs widen in. */
    private static void split(float[] x, int xOff, int k, float[] even, float[] odd) {
        for (int q = 0; q < even.length; q++) {
            even[q] = x[xOff + 2 * q];
            odd[q] = 2 * q + 1 < k ? x[xOff + 2 * q + 1] : 0f;
        }
    }

    /**
     * y[yOff + i·n + j] = row j · x_i (+ bias[j]) for the weight rows j in [j0, j1) and every x_i (as even[i],
     * odd[i]): two weight rows at a time, which share the loads of x (a lone row reads two vectors of x per vector
     * of weights, and that, not memory, limited the single-row loop); the rows come from memory once, for i > 0
     * they are in L1. Each row keeps its own two accumulators and the same order of sums paired or alone, so a
     * result depends neither on the neighbouring weight row nor on the other rows of x.
     */
    private static void rows(MemorySegment w, int half, float[][] even, float[][] odd, float[] bias, float[] y, int yOff,
                             int n, int j0, int j1) {
        long rowBytes = 4L * half;
        int j = j0;
        if (VectorSupport.ENABLED && w.heapBase().orElse(null) instanceof int[] a && w.address() % 4 == 0) {
            j = rowsOfArray(a, (int) (w.address() / 4), half, even, odd, y, yOff, n, j0, j1);
        } else if (VectorSupport.ENABLED) {
            int bound = half - half % V;
            for (; j + 1 < j1; j += 2) {
                long at = j * rowBytes, at1 = at + rowBytes;
                for (int i = 0; i < even.length; i++) {
                    float[] ev = even[i], od = odd[i];
                    FloatVector a0 = FloatVector.zero(F), b0 = a0, a1 = a0, b1 = a0;
                    for (int q = 0; q < bound; q += V) {
                        FloatVector e = FloatVector.fromArray(F, ev, q), o = FloatVector.fromArray(F, od, q);
                        IntVector w0 = IntVector.fromMemorySegment(I, w, at + 4L * q, ByteOrder.LITTLE_ENDIAN);
                        IntVector w1 = IntVector.fromMemorySegment(I, w, at1 + 4L * q, ByteOrder.LITTLE_ENDIAN);
                        a0 = low(w0).fma(e, a0);
                        b0 = high(w0).fma(o, b0);
                        a1 = low(w1).fma(e, a1);
                        b1 = high(w1).fma(o, b1);
                    }
                    y[yOff + i * n + j] = tail(w, at, bound, half, ev, od, a0.add(b0).reduceLanes(VectorOperators.ADD));
                    y[yOff + i * n + j + 1] = tail(w, at1, bound, half, ev, od, a1.add(b1).reduceLanes(VectorOperators.ADD));
                }
            }
            for (; j < j1; j++) {
                long at = j * rowBytes;
                for (int i = 0; i < even.length; i++) {
                    float[] ev = even[i], od = odd[i];
                    FloatVector a0 = FloatVector.zero(F), b0 = a0;
                    for (int q = 0; q < bound; q += V) {
                        IntVector w0 = IntVector.fromMemorySegment(I, w, at + 4L * q, ByteOrder.LITTLE_ENDIAN);
                        a0 = low(w0).fma(FloatVector.fromArray(F, ev, q), a0);
                        b0 = high(w0).fma(FloatVector.fromArray(F, od, q), b0);
                    }
                    y[yOff + i * n + j] = tail(w, at, bound, half, ev, od, a0.add(b0).reduceLanes(VectorOperators.ADD));
                }
            }
        }
        for (; j < j1; j++) {
            for (int i = 0; i < even.length; i++) y[yOff + i * n + j] = tail(w, j * rowBytes, 0, half, even[i], odd[i], 0f);
        }
        if (bias != null) {
            for (int i = 0; i < even.length; i++) for (int r = j0; r < j1; r++) y[yOff + i * n + r] += bias[r];
        }
    }

    /**
     * {@link #rows}' vector loops over a {@link #pack packed} int array (row j at a[base + j · half]) instead of a
     * segment: the same arithmetic in the same order, but indexed by int, so that C2 proves the array bounds once per
     * loop and drops the per-load checks (a segment's long offsets keep a compare and branch at every load, which
     * cost ~10 % of a decode step's bandwidth). Returns the first row not done (the rows from there are done one at a
     * time by the caller's scalar loop, none with vectors).
     */
    private static int rowsOfArray(int[] a, int base, int half, float[][] even, float[][] odd, float[] y, int yOff, int n,
                                   int j0, int j1) {
        int bound = half - half % V, j = j0;
        for (; j + 1 < j1; j += 2) {
            int at = base + j * half, at1 = at + half;
            for (int i = 0; i < even.length; i++) {
                float[] ev = even[i], od = odd[i];
                FloatVector a0 = FloatVector.zero(F), b0 = a0, a1 = a0, b1 = a0;
                for (int q = 0; q < bound; q += V) {
                    FloatVector e = FloatVector.fromArray(F, ev, q), o = FloatVector.fromArray(F, od, q);
                    IntVector w0 = IntVector.fromArray(I, a, at + q), w1 = IntVector.fromArray(I, a, at1 + q);
                    a0 = low(w0).fma(e, a0);
                    b0 = high(w0).fma(o, b0);
                    a1 = low(w1).fma(e, a1);
                    b1 = high(w1).fma(o, b1);
                }
                y[yOff + i * n + j] = tail(a, at, bound, half, ev, od, a0.add(b0).reduceLanes(VectorOperators.ADD));
                y[yOff + i * n + j + 1] = tail(a, at1, bound, half, ev, od, a1.add(b1).reduceLanes(VectorOperators.ADD));
            }
        }
        for (; j < j1; j++) {
            int at = base + j * half;
            for (int i = 0; i < even.length; i++) {
                float[] ev = even[i], od = odd[i];
                FloatVector a0 = FloatVector.zero(F), b0 = a0;
                for (int q = 0; q < bound; q += V) {
                    IntVector w0 = IntVector.fromArray(I, a, at + q);
                    a0 = low(w0).fma(FloatVector.fromArray(F, ev, q), a0);
                    b0 = high(w0).fma(FloatVector.fromArray(F, od, q), b0);
                }
                y[yOff + i * n + j] = tail(a, at, bound, half, ev, od, a0.add(b0).reduceLanes(VectorOperators.ADD));
            }
        }
        return j;
    }

    /** r plus the pairs q0 … half − 1 of the row at a[at ...] times x, one at a time (as the segment's tail). */
    private static float tail(int[] a, int at, int q0, int half, float[] even, float[] odd, float r) {
        for (int q = q0; q < half; q++) r += lowFloat(a[at + q]) * even[q] + highFloat(a[at + q]) * odd[q];
        return r;
    }

    /** r plus the pairs q0 … half − 1 of the row at byte {@code at} times x, one at a time. */
    private static float tail(MemorySegment w, long at, int q0, int half, float[] even, float[] odd, float r) {
        for (int q = q0; q < half; q++) {
            int pair = w.get(INT_LE, at + 4L * q);
            r += lowFloat(pair) * even[q] + highFloat(pair) * odd[q];
        }
        return r;
    }

    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Floats of a float32 block of W that the products over a bfloat16 matrix in place widen at a time (16 MiB per
     * calling thread): a whole block matrix of a 1B model, a slice of its output head.
     */
    static final int WIDE_BLOCK = 4 << 20;

    private static final ThreadLocal<float[][]> WIDE = ThreadLocal.withInitial(() -> new float[1][0]);

    /** values[from .. from + count) of a bfloat16 array in place, widened (exactly) into out[off .. off + count). */
    public static void widen(MemorySegment values, long from, int count, float[] out, int off) {
        Runnable all = () -> widenRange(values, from, out, off, 0, count);
        if (count < 1 << 16) {
            all.run();
            return;
        }
        int grain = 1 << 14;
        Parallel.forRange((count + grain - 1) / grain, (u0, u1) ->
                widenRange(values, from, out, off, u0 * grain, Math.min(count, u1 * grain)));
    }

    private static void widenRange(MemorySegment values, long from, float[] out, int off, int i0, int i1) {
        for (int i = i0; i < i1; i++) out[off + i] = Float.intBitsToFloat(values.get(SHORT_LE, 2 * (from + i)) << 16);
    }

    /**
     * Y[M,N] = X[M,K] · W[N,K]ᵀ (+ bias) with W a row-major bfloat16 matrix in place (a checkpoint's, mapped):
     * few rows stream W ({@link #gemv(MemorySegment, float[], int, float[], float[], int, int, int)}); more widen
     * W a block of rows at a time ({@link #WIDE_BLOCK}, exact) and run the float32 product on each block, so the
     * float32 copy never exists whole and the widening costs 1/M of the flops. Overwrites Y.
     */
    public static void xwt(float[] x, int xOff, MemorySegment w, float[] bias, float[] y, int yOff, int m, int k, int n) {
        if (k % 2 == 0 && (m <= Gemv.MAX_ROWS || !VectorSupport.ENABLED)) {
            for (int i = 0; i < m; i++) gemv(w, x, xOff + i * k, bias, y, yOff + i * n, n, k);
            return;
        }
        int rows = Math.max(1, Math.min(n, WIDE_BLOCK / Math.max(k, 1)));
        float[] wide = wide(rows * k);
        for (int j0 = 0; j0 < n; j0 += rows) {
            int r = Math.min(rows, n - j0);
            widen(w, (long) j0 * k, r * k, wide, 0);
            float[] b = bias == null ? null : java.util.Arrays.copyOfRange(bias, j0, j0 + r);
            if (!VectorSupport.ENABLED) {
                for (int i = 0; i < m; i++) ScalarMatMul.gemv(wide, 0, x, xOff + i * k, b, y, yOff + i * n + j0, r, k);
            } else { // Y[:, j0 .. j0+r) = X · block ᵀ: C's rows are n apart
                Gemm.multiply(x, xOff, k, 1, wide, 0, 1, k, b, false, y, yOff + j0, n, m, r, k);
            }
        }
    }

    /**
     * DX[M,K] += DY[M,N] · W[N,K] with W a row-major bfloat16 matrix in place: the input gradient of a frozen
     * bfloat16 Linear (LoRA over a bf16 base). W is widened a block of rows at a time, as in {@link #xwt}.
     */
    public static void dyw(float[] dy, int dyOff, MemorySegment w, float[] dx, int dxOff, int m, int n, int k) {
        int rows = Math.max(1, Math.min(n, WIDE_BLOCK / Math.max(k, 1)));
        float[] wide = wide(rows * k);
        for (int j0 = 0; j0 < n; j0 += rows) {
            int r = Math.min(rows, n - j0);
            widen(w, (long) j0 * k, r * k, wide, 0);
            if (!VectorSupport.ENABLED) {
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < r; j++) {
                        float g = dy[dyOff + i * n + j0 + j];
                        for (int p = 0; p < k; p++) dx[dxOff + i * k + p] += g * wide[j * k + p];
                    }
                }
            } else { // A = DY[:, j0 .. j0+r) (rows n apart), B = the block [r, K]; reduction over its r rows
                Gemm.multiply(dy, dyOff + j0, n, 1, wide, 0, k, 1, null, true, dx, dxOff, k, m, k, r);
            }
        }
    }

    /** This thread's block buffer for {@link #xwt} and {@link #dyw}, at least {@code size} floats. */
    private static float[] wide(int size) {
        float[][] holder = WIDE.get();
        if (holder[0].length < size) holder[0] = new float[size];
        return holder[0];
    }

    /** Row {@code row} of a bfloat16 matrix [*, k] in place, widened into out[off .. off + k). */
    public static void row(MemorySegment w, int row, int k, float[] out, int off) {
        long at = (long) row * k * 2;
        for (int i = 0; i < k; i++) out[off + i] = toFloat(w.get(SHORT_LE, at + 2L * i));
    }

    private static FloatVector low(IntVector pairs) {
        return pairs.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static FloatVector high(IntVector pairs) {
        return pairs.and(0xFFFF0000).reinterpretAsFloats();
    }

    private static float lowFloat(int pair) {
        return Float.intBitsToFloat(pair << 16);
    }

    private static float highFloat(int pair) {
        return Float.intBitsToFloat(pair & 0xFFFF0000);
    }
}
