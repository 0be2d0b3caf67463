package dev.jllm.kernels.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Block values back to float32, exactly as the {@code gguf} Python package (llama.cpp's gguf-py) computes them:
 * each product and difference rounded to float32 in the same order, so the results are bit-identical. The
 * matrix-vector products never call this (they read the blocks directly); it serves embedding lookups, tests and
 * the fp32 reference.
 */
public final class Dequantize {
    private Dequantize() {}

    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Decodes {@code n} values of {@code type} (a whole number of blocks) at byte {@code at} into out[outOff...]. */
    public static void values(GgmlType type, MemorySegment data, long at, float[] out, int outOff, int n) {
        int blocks = n / type.blockSize;
        if (blocks * type.blockSize != n) throw new IllegalArgumentException(n + " values are not whole " + type + " blocks");
        for (int b = 0; b < blocks; b++) {
            long p = at + (long) b * type.typeSize;
            int o = outOff + b * type.blockSize;
            switch (type) {
                case F32 -> out[o] = data.get(FLOAT, p);
                case F16 -> out[o] = half(data, p);
                case BF16 -> out[o] = Float.intBitsToFloat(data.get(SHORT, p) << 16);
                case Q8_0 -> q8_0(data, p, out, o);
                case Q4_0 -> q4_0(data, p, out, o);
                case Q4_1 -> q4_1(data, p, out, o);
                case Q4_K -> q4_k(data, p, out, o);
                case Q5_K -> q5_k(data, p, out, o);
                case Q6_K -> q6_k(data, p, out, o);
            }
        }
    }

    /** The whole matrix as float32 [rows · cols]. */
    public static float[] matrix(QuantizedMatrix m) {
        float[] out = new float[Math.multiplyExact(m.rows(), m.cols())];
        for (int j = 0; j < m.rows(); j++) values(m.type(), m.data(), m.rowOffset(j), out, j * m.cols(), m.cols());
        return out;
    }

    static float half(MemorySegment data, long at) {
        return Float.float16ToFloat(data.get(SHORT, at));
    }

    static int ubyte(MemorySegment data, long at) {
        return data.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    private static void q8_0(MemorySegment data, long p, float[] out, int o) {
        float d = half(data, p);
        for (int i = 0; i < 32; i++) out[o + i] = data.get(ValueLayout.JAVA_BYTE, p + 2 + i) * d;
    }

    private static void q4_0(MemorySegment data, long p, float[] out, int o) {
        float d = half(data, p);
        for (int i = 0; i < 16; i++) {
            int b = ubyte(data, p + 2 + i);
            out[o + i] = d * ((b & 0xF) - 8);
            out[o + 16 + i] = d * ((b >>> 4) - 8);
        }
    }

    private static void q4_1(MemorySegment data, long p, float[] out, int o) {
        float d = half(data, p), m = half(data, p + 2);
        for (int i = 0; i < 16; i++) {
            int b = ubyte(data, p + 4 + i);
            out[o + i] = d * (b & 0xF) + m;
            out[o + 16 + i] = d * (b >>> 4) + m;
        }
    }

    /** Sub-block j's 6-bit scale (k = 0) or min (k = 1) of a Q4_K/Q5_K block's 12 packed bytes at s. */
    static int scaleMin(MemorySegment data, long s, int j, int k) {
        if (j < 4) return ubyte(data, s + j + 4 * k) & 0x3F;
        int packed = ubyte(data, s + 8 + j - 4);
        int high = (ubyte(data, s + j - 4 + 4 * k) >>> 2) & 0x30;
        return (k == 0 ? packed & 0x0F : packed >>> 4) | high;
    }

    private static void q4_k(MemorySegment data, long p, float[] out, int o) {
        float d = half(data, p), dmin = half(data, p + 2);
        long qs = p + 16;
        for (int j = 0; j < 8; j++) {
            float ds = d * scaleMin(data, p + 4, j, 0), dm = dmin * scaleMin(data, p + 4, j, 1);
            int shift = 4 * (j & 1);
            long q = qs + 32L * (j >> 1);
            for (int l = 0; l < 32; l++) out[o + 32 * j + l] = ds * ((ubyte(data, q + l) >>> shift) & 0xF) - dm;
        }
    }

    private static void q5_k(MemorySegment data, long p, float[] out, int o) {
        float d = half(data, p), dmin = half(data, p + 2);
        long qh = p + 16, qs = p + 48;
        for (int j = 0; j < 8; j++) {
            float ds = d * scaleMin(data, p + 4, j, 0), dm = dmin * scaleMin(data, p + 4, j, 1);
            int shift = 4 * (j & 1);
            long q = qs + 32L * (j >> 1);
            for (int l = 0; l < 32; l++) {
                int v = ((ubyte(data, q + l) >>> shift) & 0xF) | ((ubyte(data, qh + l) >>> j) & 1) << 4;
                out[o + 32 * j + l] = ds * v - dm;
            }
        }
    }

    private static void q6_k(MemorySegment data, long p, float[] out, int o) {
        long ql = p, qh = p + 128, sc = p + 192;
        float d = half(data, p + 208);
        for (int c = 0; c < 8; c++) { // 32 values each: half h = c / 4, quarter k = c % 4
            int h = c >> 2, k = c & 3;
            long lo = ql + 64L * h + 32L * (k & 1), hi = qh + 32L * h;
            int loShift = 4 * (k >> 1), hiShift = 2 * k;
            for (int l = 0; l < 32; l++) {
                int q = ((ubyte(data, lo + l) >>> loShift) & 0xF) | ((ubyte(data, hi + l) >>> hiShift) & 3) << 4;
                float ds = d * data.get(ValueLayout.JAVA_BYTE, sc + 2L * c + (l >> 4));
                out[o + 32 * c + l] = ds * (q - 32);
            }
        }
    }
}
