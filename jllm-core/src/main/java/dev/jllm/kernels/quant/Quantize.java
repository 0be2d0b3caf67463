package dev.jllm.kernels.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Float32 rows to ggml blocks. F16, BF16, Q8_0, Q4_0 and Q4_1 are bit-exact with the {@code gguf} Python package
 * (whose Q8_0 is llama.cpp's reference quantizer). Q4_K, Q5_K and Q6_K are jllm's own simple encoders (per sub-block
 * min/max or largest magnitude, scales relative to the largest; no iterative search as in llama-quantize): valid
 * blocks that any ggml reader decodes, but not llama-quantize's bytes.
 */
public final class Quantize {
    private Quantize() {}

    /** W [rows, cols] (row-major floats) quantized as {@code type}, on the heap. */
    public static QuantizedMatrix matrix(float[] w, int rows, int cols, GgmlType type) {
        if ((long) rows * cols != w.length) throw new IllegalArgumentException(w.length + " values are not [" + rows + ", " + cols + "]");
        MemorySegment out = MemorySegment.ofArray(new byte[Math.toIntExact((long) rows * type.bytes(cols))]);
        values(w, 0, w.length, type, out, 0);
        return new QuantizedMatrix(type, rows, cols, out);
    }

    /** Encodes n values of x (from off; a whole number of blocks) as {@code type} into out at byte {@code at}. */
    public static void values(float[] x, int off, int n, GgmlType type, MemorySegment out, long at) {
        if (n % type.blockSize != 0) throw new IllegalArgumentException(n + " values are not whole " + type + " blocks");
        for (int b = 0; b < n / type.blockSize; b++) {
            int i = off + b * type.blockSize;
            long p = at + (long) b * type.typeSize;
            switch (type) {
                case F32 -> out.set(Dequantize.FLOAT, p, x[i]);
                case F16 -> out.set(Dequantize.SHORT, p, Float.floatToFloat16(x[i]));
                case BF16 -> out.set(Dequantize.SHORT, p, bf16(x[i]));
                case Q8_0 -> q8_0(x, i, out, p);
                case Q4_0 -> q4_0(x, i, out, p);
                case Q4_1 -> q4_1(x, i, out, p);
                case Q4_K -> k4or5(x, i, out, p, false);
                case Q5_K -> k4or5(x, i, out, p, true);
                case Q6_K -> q6_k(x, i, out, p);
            }
        }
    }

    /** ggml's float to bfloat16: quiet NaNs, round to nearest even. */
    static short bf16(float v) {
        int n = Float.floatToRawIntBits(v);
        if ((n & 0x7fffffff) > 0x7f800000) return (short) ((n >>> 16) | 64);
        return (short) ((n + (0x7fff + ((n >>> 16) & 1))) >>> 16);
    }

    /** Round half away from zero, in float32 steps as gguf-py's np_roundf. */
    private static float roundf(float v) {
        float a = Math.abs(v);
        float floored = (float) Math.floor(a);
        float r = floored + (float) Math.floor(2 * (a - floored));
        return Math.signum(v) * r;
    }

    private static void q8_0(float[] x, int i, MemorySegment out, long p) {
        float amax = 0f;
        for (int l = 0; l < 32; l++) amax = Math.max(amax, Math.abs(x[i + l]));
        float d = amax / 127;
        float id = d == 0 ? 0 : 1 / d;
        out.set(Dequantize.SHORT, p, Float.floatToFloat16(d));
        for (int l = 0; l < 32; l++) out.set(ValueLayout.JAVA_BYTE, p + 2 + l, (byte) roundf(x[i + l] * id));
    }

    /** The value of largest magnitude, with its sign (the first of equals). */
    private static float signedMax(float[] x, int i, int n) {
        float best = 0f, amax = -1f;
        for (int l = 0; l < n; l++) {
            if (Math.abs(x[i + l]) > amax) {
                amax = Math.abs(x[i + l]);
                best = x[i + l];
            }
        }
        return best;
    }

    private static void q4_0(float[] x, int i, MemorySegment out, long p) {
        float d = signedMax(x, i, 32) / -8;
        float id = d == 0 ? 0 : 1 / d;
        out.set(Dequantize.SHORT, p, Float.floatToFloat16(d));
        for (int l = 0; l < 16; l++) {
            int lo = nibble(x[i + l] * id + 8.5f), hi = nibble(x[i + 16 + l] * id + 8.5f);
            out.set(ValueLayout.JAVA_BYTE, p + 2 + l, (byte) (lo | hi << 4));
        }
    }

    private static void q4_1(float[] x, int i, MemorySegment out, long p) {
        float max = Float.NEGATIVE_INFINITY, min = Float.POSITIVE_INFINITY;
        for (int l = 0; l < 32; l++) {
            max = Math.max(max, x[i + l]);
            min = Math.min(min, x[i + l]);
        }
        float d = (max - min) / 15;
        float id = d == 0 ? 0 : 1 / d;
        out.set(Dequantize.SHORT, p, Float.floatToFloat16(d));
        out.set(Dequantize.SHORT, p + 2, Float.floatToFloat16(min));
        for (int l = 0; l < 16; l++) {
            int lo = nibble((x[i + l] - min) * id + 0.5f), hi = nibble((x[i + 16 + l] - min) * id + 0.5f);
            out.set(ValueLayout.JAVA_BYTE, p + 4 + l, (byte) (lo | hi << 4));
        }
    }

    /** trunc, then to uint8, then clipped to 0..15 (as gguf-py does). */
    private static int nibble(float v) {
        int t = (int) v; // truncates toward zero
        return Math.min(15, Math.max(0, t & 0xFF));
    }

    /**
     * Q4_K, or Q5_K ({@code fifth}): 8 sub-blocks of 32 values, each with a 6-bit scale and a 6-bit min of the
     * super-block's fp16 steps d and dmin; a value is scale · q − min with q of 4 bits (Q5_K: 5, the fifth in the 32
     * bytes of high bits before the nibbles, bit j for sub-block j). Each sub-block's range [min, max] (min ≤ 0) is
     * cut into 15 (31) steps.
     */
    private static void k4or5(float[] x, int i, MemorySegment out, long p, boolean fifth) {
        int top = fifth ? 31 : 15;
        long qs = p + (fifth ? 48 : 16);
        if (fifth) out.asSlice(p + 16, 32).fill((byte) 0);
        float[] scale = new float[8], mins = new float[8];
        float maxScale = 0f, maxMin = 0f;
        for (int j = 0; j < 8; j++) {
            float mn = 0f, mx = Float.NEGATIVE_INFINITY;
            for (int l = 0; l < 32; l++) {
                mn = Math.min(mn, x[i + 32 * j + l]);
                mx = Math.max(mx, x[i + 32 * j + l]);
            }
            scale[j] = (mx - mn) / top;
            mins[j] = -mn;
            maxScale = Math.max(maxScale, scale[j]);
            maxMin = Math.max(maxMin, mins[j]);
        }
        float invScale = maxScale > 0 ? 63f / maxScale : 0f, invMin = maxMin > 0 ? 63f / maxMin : 0f;
        short d16 = Float.floatToFloat16(maxScale / 63f), dmin16 = Float.floatToFloat16(maxMin / 63f);
        float d = Float.float16ToFloat(d16), dmin = Float.float16ToFloat(dmin16);
        int[] ls = new int[8], lm = new int[8];
        for (int j = 0; j < 8; j++) {
            ls[j] = (int) Math.min(63, Math.max(0, Math.rint(invScale * scale[j])));
            lm[j] = (int) Math.min(63, Math.max(0, Math.rint(invMin * mins[j])));
        }
        out.set(Dequantize.SHORT, p, d16);
        out.set(Dequantize.SHORT, p + 2, dmin16);
        for (int j = 0; j < 4; j++) {
            out.set(ValueLayout.JAVA_BYTE, p + 4 + j, (byte) ((ls[j] & 0x3F) | (ls[j + 4] >> 4) << 6));
            out.set(ValueLayout.JAVA_BYTE, p + 8 + j, (byte) ((lm[j] & 0x3F) | (lm[j + 4] >> 4) << 6));
            out.set(ValueLayout.JAVA_BYTE, p + 12 + j, (byte) ((ls[j + 4] & 0x0F) | (lm[j + 4] & 0x0F) << 4));
        }
        for (int j = 0; j < 8; j++) {
            float dsc = d * ls[j], dmn = dmin * lm[j];
            long q = qs + 32L * (j >> 1);
            for (int l = 0; l < 32; l++) {
                int v = dsc == 0 ? 0 : (int) Math.min(top, Math.max(0, Math.rint((x[i + 32 * j + l] + dmn) / dsc)));
                int old = (j & 1) == 0 ? 0 : Dequantize.ubyte(out, q + l);
                out.set(ValueLayout.JAVA_BYTE, q + l, (byte) (old | (v & 0xF) << (4 * (j & 1))));
                if (fifth) out.set(ValueLayout.JAVA_BYTE, p + 16 + l, (byte) (Dequantize.ubyte(out, p + 16 + l) | (v >> 4) << j));
            }
        }
    }

    /**
     * Q6_K: 16 sub-blocks of 16 values, each with an int8 scale of the super-block's fp16 step d; a value is
     * q - 32 with q of 6 bits: its low 4 bits in ql, its high 2 in qh (the layout {@link Dequantize} reads).
     */
    private static void q6_k(float[] x, int i, MemorySegment out, long p) {
        float[] scale = new float[16];
        float maxAbs = 0f;
        for (int j = 0; j < 16; j++) {
            scale[j] = signedMax(x, i + 16 * j, 16) / -32f;
            maxAbs = Math.max(maxAbs, Math.abs(scale[j]));
        }
        short d16 = Float.floatToFloat16(maxAbs / 127f);
        float d = Float.float16ToFloat(d16);
        out.asSlice(p, 210).fill((byte) 0);
        for (int j = 0; j < 16; j++) {
            // the scale rounded away from zero: no value then falls outside the 6 bits
            int sc = d == 0 ? 0 : (int) Math.min(127, Math.max(-128, Math.signum(scale[j]) * Math.ceil(Math.abs(scale[j] / d))));
            out.set(ValueLayout.JAVA_BYTE, p + 192 + j, (byte) sc);
            float step = d * sc;
            for (int l = 0; l < 16; l++) {
                int idx = 16 * j + l, c = idx >> 5, h = c >> 2, k = c & 3, m = idx & 31;
                int q = step == 0 ? 32 : (int) Math.min(63, Math.max(0, Math.rint(x[i + idx] / step) + 32));
                long lo = p + 64L * h + 32L * (k & 1) + m, hi = p + 128 + 32L * h + m;
                out.set(ValueLayout.JAVA_BYTE, lo, (byte) (Dequantize.ubyte(out, lo) | (q & 0xF) << (4 * (k >> 1))));
                out.set(ValueLayout.JAVA_BYTE, hi, (byte) (Dequantize.ubyte(out, hi) | (q >> 4) << (2 * k)));
            }
        }
        out.set(Dequantize.SHORT, p + 208, d16);
    }
}
