package dev.jllm.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The element types of safetensors files. jllm converts F32, F16 and BF16 to float; the others are known only by
 * size, so that a header holding them (an integer mask buffer, say) still validates, and reading one is a clear error.
 *
 * <p>F16 is IEEE half precision; BF16 ("brain float") is the top 16 bits of a float32, so widening it is a shift.
 */
public enum Dtype {
    F32(4), F16(2), BF16(2),
    F64(8), I64(8), U64(8), I32(4), U32(4), I16(2), U16(2), I8(1), U8(1), BOOL(1), F8_E4M3(1), F8_E5M2(1);

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Bytes per element. */
    public final int bytes;

    Dtype(int bytes) {
        this.bytes = bytes;
    }

    /** Whether {@link #decode} converts this type to float. */
    public boolean readable() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** The dtype named {@code text} exactly as safetensors spells it, or null. */
    public static Dtype parse(String text) {
        for (Dtype d : values()) if (d.name().equals(text)) return d;
        return null;
    }

    /**
     * Reads {@code out.length} little-endian values starting at byte {@code offset} of {@code src} into {@code out}.
     */
    public void decode(MemorySegment src, long offset, float[] out) {
        switch (this) {
            case F32 -> MemorySegment.copy(src, F32_LE, offset, out, 0, out.length);
            case F16 -> {
                short[] half = halves(src, offset, out.length);
                for (int i = 0; i < out.length; i++) out[i] = Float.float16ToFloat(half[i]);
            }
            case BF16 -> {
                short[] half = halves(src, offset, out.length);
                for (int i = 0; i < out.length; i++) out[i] = bf16ToFloat(half[i]);
            }
            default -> throw new IllegalArgumentException("unsupported dtype " + this + " (jllm reads F32, F16 and BF16)");
        }
    }

    /** A bfloat16 bit pattern widened to the float it denotes (exact: bf16 is a truncated float32). */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    private static short[] halves(MemorySegment src, long offset, int n) {
        short[] half = new short[n];
        MemorySegment.copy(src, I16_LE, offset, half, 0, n);
        return half;
    }
}
