package dev.jllm.kernels.quant;

import java.util.Map;

/**
 * The tensor types of ggml (GGUF files) that jllm reads: each stores a row in blocks of {@link #blockSize} values
 * taking {@link #typeSize} bytes. The ids are ggml's and are not contiguous.
 *
 * <pre>
 * F32, F16, BF16   one value per element
 * Q8_0   [32]  fp16 d, 32 × int8 q                    value = q · d
 * Q4_0   [32]  fp16 d, 16 bytes: low nibbles are 0–15, high 16–31          value = (q − 8) · d
 * Q4_1   [32]  fp16 d, fp16 m, 16 bytes as Q4_0                             value = q · d + m
 * Q4_K  [256]  fp16 d, fp16 dmin, 12 bytes of 6-bit scales/mins, 128 bytes of nibbles (8 sub-blocks of 32)
 * Q5_K  [256]  as Q4_K plus 32 bytes of fifth bits before the nibbles
 * Q6_K  [256]  128 bytes low nibbles, 64 bytes 2-bit highs, 16 int8 scales (groups of 16), fp16 d last
 * </pre>
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q8_0(8, 32, 34),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    BF16(30, 1, 2);

    /** ggml's id of the type (as stored in a GGUF tensor info). */
    public final int id;
    /** Values per block. */
    public final int blockSize;
    /** Bytes per block. */
    public final int typeSize;

    GgmlType(int id, int blockSize, int typeSize) {
        this.id = id;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
    }

    /** The names of ggml types that jllm knows of but does not read, for error messages. */
    private static final Map<Integer, String> OTHERS = Map.ofEntries(
            Map.entry(6, "Q5_0"), Map.entry(7, "Q5_1"), Map.entry(9, "Q8_1"), Map.entry(10, "Q2_K"),
            Map.entry(11, "Q3_K"), Map.entry(15, "Q8_K"), Map.entry(16, "IQ2_XXS"), Map.entry(17, "IQ2_XS"),
            Map.entry(18, "IQ3_XXS"), Map.entry(19, "IQ1_S"), Map.entry(20, "IQ4_NL"), Map.entry(21, "IQ3_S"),
            Map.entry(22, "IQ2_S"), Map.entry(23, "IQ4_XS"), Map.entry(24, "I8"), Map.entry(25, "I16"),
            Map.entry(26, "I32"), Map.entry(27, "I64"), Map.entry(28, "F64"), Map.entry(29, "IQ1_M"),
            Map.entry(34, "TQ1_0"), Map.entry(35, "TQ2_0"), Map.entry(39, "MXFP4"));

    /** The type with ggml id {@code id}, or null when jllm does not read it. */
    public static GgmlType byId(long id) {
        for (GgmlType t : values()) if (t.id == id) return t;
        return null;
    }

    /** A name for any ggml type id ("Q5_0", or "unknown type 99"). */
    public static String describe(long id) {
        GgmlType t = byId(id);
        if (t != null) return t.name();
        String other = id >= 0 && id < Integer.MAX_VALUE ? OTHERS.get((int) id) : null;
        return other != null ? other : "unknown type " + id;
    }

    /** Whether a row of {@code cols} values is a whole number of blocks. */
    public boolean fits(long cols) {
        return cols % blockSize == 0;
    }

    /** Bytes that {@code n} values take ({@code n} a multiple of the block size). */
    public long bytes(long n) {
        if (n % blockSize != 0) throw new IllegalArgumentException(this + " stores values in blocks of " + blockSize + ", not " + n);
        return n / blockSize * typeSize;
    }

    /** Whether the values are stored quantized in blocks (not one float per element). */
    public boolean quantized() {
        return blockSize > 1;
    }
}
