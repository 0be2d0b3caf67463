package dev.jllm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * bfloat16 weights for decoding: the top 16 bits of a float32 (same exponent range, 8 bits of mantissa), so a
 * weight matrix takes half the bytes and a decode step, which streams every weight once, reads half as much.
 * Widening back is exact (a 16-bit shift); it happens in the matrix-vector loop, and the sums stay in float32.
 */
public final class Bf16 {
    private Bf16() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** As many shorts as F has floats. */
    private static final VectorSpecies<Short> H = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int V = F.length();
    private static final int ROWS_PER_UNIT = 64;

    /** The nearest bfloat16 of each value (ties to even; NaN stays NaN). */
    public static short[] fromFloats(float[] values) {
        short[] out = new short[values.length];
        for (int i = 0; i < values.length; i++) out[i] = fromFloat(values[i]);
        return out;
    }

    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) return (short) ((bits >>> 16) | 0x40); // keep it a (quiet) NaN
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    public static float toFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /** y[N] = W[N,K] · x[K] (+ bias[N] when not null), W in bfloat16. Overwrites y. */
    public static void gemv(short[] w, int wOff, float[] x, int xOff, float[] bias, float[] y, int yOff, int n, int k) {
        Parallel.forRange((n + ROWS_PER_UNIT - 1) / ROWS_PER_UNIT, (u0, u1) -> {
            int j = u0 * ROWS_PER_UNIT, j1 = Math.min(n, u1 * ROWS_PER_UNIT);
            if (VectorSupport.ENABLED) {
                for (; j + 2 <= j1; j += 2) rows2(w, wOff + j * k, k, x, xOff, y, yOff + j);
            }
            for (; j < j1; j++) y[yOff + j] = dot(w, wOff + j * k, x, xOff, k);
            if (bias != null) for (int r = u0 * ROWS_PER_UNIT; r < j1; r++) y[yOff + r] += bias[r];
        });
    }

    /** y[yAt], y[yAt + 1] = the two weight rows starting at w[wAt] times x. */
    private static void rows2(short[] w, int wAt, int k, float[] x, int xAt, float[] y, int yAt) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0;
        int bound = F.loopBound(k), p = 0;
        for (; p < bound; p += V) {
            FloatVector xv = FloatVector.fromArray(F, x, xAt + p);
            s0 = widen(w, wAt + p).fma(xv, s0);
            s1 = widen(w, wAt + k + p).fma(xv, s1);
        }
        float r0 = s0.reduceLanes(VectorOperators.ADD), r1 = s1.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            r0 += toFloat(w[wAt + p]) * x[xAt + p];
            r1 += toFloat(w[wAt + k + p]) * x[xAt + p];
        }
        y[yAt] = r0;
        y[yAt + 1] = r1;
    }

    /** V bfloat16 values from w[at] as floats: sign-extend to int, shift into the top half, reinterpret. */
    private static FloatVector widen(short[] w, int at) {
        return ((IntVector) ShortVector.fromArray(H, w, at).convertShape(VectorOperators.S2I, I, 0))
                .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static float dot(short[] w, int wAt, float[] x, int xAt, int k) {
        float r = 0f;
        for (int p = 0; p < k; p++) r += toFloat(w[wAt + p]) * x[xAt + p];
        return r;
    }
}
