package dev.jllm.kernels.quant;

import dev.jllm.kernels.LaneSum;
import dev.jllm.kernels.Bf16;
import dev.jllm.kernels.Parallel;
import dev.jllm.kernels.VectorSupport;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * y[N] = W[N,K] · x[K] with W in ggml blocks ({@link QuantizedMatrix}), read in place: each block's bytes are widened
 * to floats in registers, multiplied with x, and the block's scale applied to the block's partial sum. Nothing is
 * dequantized to memory, so a decode step streams the quantized bytes only (Q8_0: 1.06 bytes per weight, Q4_0:
 * 0.56). Rows are split over the threads of {@link Parallel}, a unit of rows at a time.
 *
 * <p>Activations stay float32 (llama.cpp rounds them to 8 bits): the result is the exact product of the dequantized
 * weights with x up to float summation order, which is what {@code QuantizedGemvTest} bounds.
 */
public final class QuantizedGemv {
    private QuantizedGemv() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int V = F.length();
    /** Bytes widened per float vector: as many lanes as F. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, V * 8)));
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Rows a thread claims at a time. */
    private static final int ROWS_PER_UNIT = 16;
    /** The kernels below need B to have exactly V lanes, and whole vectors per 16 values. */
    private static final boolean VECTOR = VectorSupport.ENABLED && B.length() == V && 16 % V == 0;

    /** y[yOff + j] = row j of w · x[xOff ...], for every row j. */
    public static void multiply(QuantizedMatrix w, float[] x, int xOff, float[] y, int yOff) {
        Parallel.forEachUnit(product(w, x, xOff, y, yOff));
    }

    /**
     * The product of {@link #multiply} as units of rows for {@link Parallel#forEachUnit(Parallel.Units...)}, so that
     * a decode step can run several products of one input (q, k, v; gate, up) in one parallel loop. bf16 rows of
     * even length go through {@link Bf16}'s kernel (a row read as little-endian ints is its packed layout).
     */
    public static Parallel.Units product(QuantizedMatrix w, float[] x, int xOff, float[] y, int yOff) {
        int k = w.cols(), n = w.rows();
        if (xOff + k > x.length || yOff + n > y.length) throw new IllegalArgumentException("x or y too short for " + w.type() + " [" + n + ", " + k + "]");
        if (w.type() == GgmlType.BF16 && k % 2 == 0) return Bf16.product(w.data(), x, xOff, null, y, yOff, 1, k, n);
        float[] sums = needsBlockSums(w.type()) ? blockSums(x, xOff, k) : null;
        MemorySegment data = w.data();
        long rowBytes = w.rowBytes();
        RowKernel kernel = kernel(w.type());
        int units = (n + ROWS_PER_UNIT - 1) / ROWS_PER_UNIT;
        return new Parallel.Units() {
            public int count() {
                return units;
            }

            public void run(int u) {
                int j1 = Math.min(n, (u + 1) * ROWS_PER_UNIT);
                for (int j = u * ROWS_PER_UNIT; j < j1; j++) y[yOff + j] = kernel.dot(data, j * rowBytes, x, xOff, k, sums);
            }
        };
    }

    /** Row at byte {@code at} of {@code data} (k values of {@code type}) · x[xOff ...]. */
    public static float dot(GgmlType type, MemorySegment data, long at, float[] x, int xOff, int k, float[] sums) {
        return kernel(type).dot(data, at, x, xOff, k, sums);
    }

    /** The product of one row of blocks with x: {@link #dot} for one type. */
    @FunctionalInterface
    public interface RowKernel {
        /** Row at byte {@code at} of {@code data} (k values) · x[xOff ...]; {@code sums}: {@link #blockSums} where the type needs them. */
        float dot(MemorySegment data, long at, float[] x, int xOff, int k, float[] sums);
    }

    /**
     * The row kernel of {@code type}, chosen once per product rather than per row: a product's loop calls one small
     * method per type instead of one method that switches over every type per row (a probe over the same Q8_0 rows in
     * L2 ran 7-13 GB/s through that switch, 21.5 GB/s calling the Q8_0 loop directly). Not settled: generate's decoder
     * at 1 thread still swings between runs (4-10 tok/s on the Llama-1B-shaped Q8_0 file) with the time in this loop.
     */
    public static RowKernel kernel(GgmlType type) {
        if (!VECTOR) return (d, at, x, xOff, k, sums) -> scalarDot(type, d, at, x, xOff, k);
        return switch (type) {
            case F32 -> (d, at, x, xOff, k, sums) -> f32(d, at, x, xOff, k);
            case F16 -> (d, at, x, xOff, k, sums) -> scalarDot(GgmlType.F16, d, at, x, xOff, k);
            case BF16 -> (d, at, x, xOff, k, sums) -> k % 2 == 0 ? Bf16.dot(d.asSlice(at, 2L * k), 0, x, xOff, k)
                    : scalarDot(GgmlType.BF16, d, at, x, xOff, k);
            case Q8_0 -> (d, at, x, xOff, k, sums) -> q8_0(d, at, x, xOff, k / 32);
            case Q4_0 -> (d, at, x, xOff, k, sums) -> q4_0(d, at, x, xOff, k / 32);
            case Q4_1 -> (d, at, x, xOff, k, sums) -> q4_1(d, at, x, xOff, k / 32, sums);
            case Q4_K -> (d, at, x, xOff, k, sums) -> q4_k(d, at, x, xOff, k / 256, sums, false);
            case Q5_K -> (d, at, x, xOff, k, sums) -> q4_k(d, at, x, xOff, k / 256, sums, true);
            case Q6_K -> (d, at, x, xOff, k, sums) -> q6_k(d, at, x, xOff, k / 256);
        };
    }

    static boolean needsBlockSums(GgmlType type) {
        return type == GgmlType.Q4_1 || type == GgmlType.Q4_K || type == GgmlType.Q5_K;
    }

    /** The sum of each 32 values of x: the offset terms (min · Σx) of Q4_1 and the K-quants, once per product. */
    static float[] blockSums(float[] x, int xOff, int k) {
        float[] s = new float[k / 32];
        for (int b = 0; b < s.length; b++) {
            float t = 0f;
            for (int l = 0; l < 32; l++) t += x[xOff + 32 * b + l];
            s[b] = t;
        }
        return s;
    }

    /** The plain loop (no Vector API): dequantizes a block at a time into a small buffer. */
    static float scalarDot(GgmlType type, MemorySegment data, long at, float[] x, int xOff, int k) {
        float[] buf = new float[type.blockSize];
        float r = 0f;
        for (int b = 0; b < k / type.blockSize; b++) {
            Dequantize.values(type, data, at + (long) b * type.typeSize, buf, 0, type.blockSize);
            float s = 0f;
            for (int l = 0; l < buf.length; l++) s += buf[l] * x[xOff + b * type.blockSize + l];
            r += s;
        }
        return r;
    }

    private static FloatVector bytes(MemorySegment data, long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B, data, at, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    private static FloatVector widen(ByteVector q) {
        return (FloatVector) q.convertShape(VectorOperators.B2F, F, 0);
    }

    private static float f32(MemorySegment data, long at, float[] x, int xOff, int k) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        int p = 0;
        for (int bound = k - k % (2 * V); p < bound; p += 2 * V) {
            a0 = FloatVector.fromMemorySegment(F, data, at + 4L * p, LE).fma(FloatVector.fromArray(F, x, xOff + p), a0);
            a1 = FloatVector.fromMemorySegment(F, data, at + 4L * (p + V), LE).fma(FloatVector.fromArray(F, x, xOff + p + V), a1);
        }
        float r = LaneSum.sum(a0.add(a1));
        for (; p < k; p++) r += data.get(Dequantize.FLOAT, at + 4L * p) * x[xOff + p];
        return r;
    }

    /** Σ over one Q8_0 block: 32 int8 at q times x[xi ...], before the scale. */
    private static FloatVector q8Block(MemorySegment data, long q, float[] x, int xi) {
        FloatVector s = bytes(data, q).mul(FloatVector.fromArray(F, x, xi));
        for (int i = V; i < 32; i += V) s = bytes(data, q + i).fma(FloatVector.fromArray(F, x, xi + i), s);
        return s;
    }

    /**
     * Two blocks per turn into two accumulator chains. The loop runs over a slice of the row with an int counter
     * from 0, so the segment offsets are the counter times a constant plus a constant: the shape C2's range-check
     * elimination takes (with offsets from the matrix's start it kept a check at every load, ~25 % of the loop).
     */
    private static float q8_0(MemorySegment data, long at, float[] x, int xOff, int blocks) {
        MemorySegment row = data.asSlice(at, 34L * blocks);
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int c = 0, pairs = blocks >> 1; c < pairs; c++) {
            long p = 68L * c;
            int xi = xOff + 64 * c;
            a0 = q8Block(row, p + 2, x, xi).fma(scale(row, p), a0);
            a1 = q8Block(row, p + 36, x, xi + 32).fma(scale(row, p + 34), a1);
        }
        if ((blocks & 1) != 0) {
            int b = blocks - 1;
            a0 = q8Block(row, 34L * b + 2, x, xOff + 32 * b).fma(scale(row, 34L * b), a0);
        }
        return LaneSum.sum(a0.add(a1));
    }

    /** A block's float16 scale at p, in every lane. */
    private static FloatVector scale(MemorySegment data, long p) {
        return FloatVector.broadcast(F, Dequantize.half(data, p));
    }

    /** Σ over one 32-value block of nibbles at q (low nibbles: values 0–15, high: 16–31), minus {@code offset}. */
    private static FloatVector nibbleBlock(MemorySegment data, long q, int offset, float[] x, int xi) {
        FloatVector s = FloatVector.zero(F);
        for (int i = 0; i < 16; i += V) {
            ByteVector b = ByteVector.fromMemorySegment(B, data, q + i, LE);
            s = widen(b.and((byte) 0xF).sub((byte) offset)).fma(FloatVector.fromArray(F, x, xi + i), s);
            s = widen(b.lanewise(VectorOperators.LSHR, 4).sub((byte) offset)).fma(FloatVector.fromArray(F, x, xi + 16 + i), s);
        }
        return s;
    }

    /** As {@link #q8_0}: two blocks per turn over a slice of the row. */
    private static float q4_0(MemorySegment data, long at, float[] x, int xOff, int blocks) {
        MemorySegment row = data.asSlice(at, 18L * blocks);
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int c = 0, pairs = blocks >> 1; c < pairs; c++) {
            long p = 36L * c;
            int xi = xOff + 64 * c;
            a0 = nibbleBlock(row, p + 2, 8, x, xi).fma(scale(row, p), a0);
            a1 = nibbleBlock(row, p + 20, 8, x, xi + 32).fma(scale(row, p + 18), a1);
        }
        if ((blocks & 1) != 0) {
            int b = blocks - 1;
            a0 = nibbleBlock(row, 18L * b + 2, 8, x, xOff + 32 * b).fma(scale(row, 18L * b), a0);
        }
        return LaneSum.sum(a0.add(a1));
    }

    private static float q4_1(MemorySegment data, long at, float[] x, int xOff, int blocks, float[] sums) {
        FloatVector a = FloatVector.zero(F);
        float offsets = 0f;
        for (int b = 0; b < blocks; b++) {
            long p = at + 20L * b;
            a = nibbleBlock(data, p + 4, 0, x, xOff + 32 * b).fma(FloatVector.broadcast(F, Dequantize.half(data, p)), a);
            offsets += Dequantize.half(data, p + 2) * sums[b];
        }
        return LaneSum.sum(a) + offsets;
    }

    /** Q4_K, or Q5_K ({@code fifth}: a fifth bit per value from the 32 bytes before the nibbles). */
    private static float q4_k(MemorySegment data, long at, float[] x, int xOff, int blocks, float[] sums, boolean fifth) {
        FloatVector a = FloatVector.zero(F);
        float offsets = 0f;
        int size = fifth ? 176 : 144;
        for (int b = 0; b < blocks; b++) {
            long p = at + (long) size * b, qh = p + 16, qs = p + (fifth ? 48 : 16);
            float d = Dequantize.half(data, p), dmin = Dequantize.half(data, p + 2);
            for (int j = 0; j < 8; j++) {
                int shift = 4 * (j & 1), xi = xOff + 256 * b + 32 * j;
                long q = qs + 32L * (j >> 1);
                FloatVector s = FloatVector.zero(F);
                for (int l = 0; l < 32; l += V) {
                    ByteVector v = ByteVector.fromMemorySegment(B, data, q + l, LE).lanewise(VectorOperators.LSHR, shift).and((byte) 0xF);
                    if (fifth) {
                        ByteVector h = ByteVector.fromMemorySegment(B, data, qh + l, LE).lanewise(VectorOperators.LSHR, j).and((byte) 1);
                        v = v.or(h.lanewise(VectorOperators.LSHL, 4));
                    }
                    s = widen(v).fma(FloatVector.fromArray(F, x, xi + l), s);
                }
                a = s.fma(FloatVector.broadcast(F, d * Dequantize.scaleMin(data, p + 4, j, 0)), a);
                offsets += dmin * Dequantize.scaleMin(data, p + 4, j, 1) * sums[8 * b + j];
            }
        }
        return LaneSum.sum(a) - offsets;
    }

    private static float q6_k(MemorySegment data, long at, float[] x, int xOff, int blocks) {
        FloatVector a = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long p = at + 210L * b, sc = p + 192;
            float d = Dequantize.half(data, p + 208);
            for (int c = 0; c < 8; c++) {
                int h = c >> 2, k = c & 3, loShift = 4 * (k >> 1), hiShift = 2 * k;
                long lo = p + 64L * h + 32L * (k & 1), hi = p + 128 + 32L * h;
                for (int l = 0; l < 32; l += V) {
                    ByteVector ql = ByteVector.fromMemorySegment(B, data, lo + l, LE).lanewise(VectorOperators.LSHR, loShift).and((byte) 0xF);
                    ByteVector qh = ByteVector.fromMemorySegment(B, data, hi + l, LE).lanewise(VectorOperators.LSHR, hiShift).and((byte) 3);
                    FloatVector q = widen(ql.or(qh.lanewise(VectorOperators.LSHL, 4)).sub((byte) 32));
                    float ds = d * data.get(ValueLayout.JAVA_BYTE, sc + 2L * c + (l >> 4));
                    a = q.mul(ds).fma(FloatVector.fromArray(F, x, xOff + 256 * b + 32 * c + l), a);
                }
            }
        }
        return LaneSum.sum(a);
    }
}
