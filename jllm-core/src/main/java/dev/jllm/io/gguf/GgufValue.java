package dev.jllm.io.gguf;

import java.util.Arrays;

/**
 * One metadata value of a GGUF file, with its stored type. Scalars: the integer types as {@link Long} (UINT64 as
 * its bit pattern), FLOAT32 as {@link Float}, FLOAT64 as {@link Double}, BOOL as {@link Boolean}, STRING as
 * {@link String}. Arrays ({@code type} ARRAY, {@code elementType} the type of the elements): {@code long[]} for the
 * integer types, {@code float[]}, {@code double[]}, {@code boolean[]}, {@code String[]}, or {@code GgufValue[]} for
 * arrays of arrays.
 */
public record GgufValue(Type type, Type elementType, Object value) {

    /** GGUF's value types, by their ids in the file. */
    public enum Type {
        UINT8(1), INT8(1), UINT16(2), INT16(2), UINT32(4), INT32(4), FLOAT32(4), BOOL(1), STRING(8), ARRAY(12),
        UINT64(8), INT64(8), FLOAT64(8);

        /** The fewest bytes a value of this type takes in a file (a string: its length; an array: type + count). */
        final int minBytes;

        Type(int minBytes) {
            this.minBytes = minBytes;
        }

        static Type byId(long id) {
            return id >= 0 && id < values().length ? values()[(int) id] : null;
        }

        boolean integer() {
            return this == UINT8 || this == INT8 || this == UINT16 || this == INT16 || this == UINT32 || this == INT32
                    || this == UINT64 || this == INT64;
        }
    }

    public static GgufValue of(String s) {
        return new GgufValue(Type.STRING, null, s);
    }

    public static GgufValue uint32(long v) {
        return new GgufValue(Type.UINT32, null, v);
    }

    public static GgufValue int32(long v) {
        return new GgufValue(Type.INT32, null, v);
    }

    public static GgufValue float32(float v) {
        return new GgufValue(Type.FLOAT32, null, v);
    }

    public static GgufValue bool(boolean v) {
        return new GgufValue(Type.BOOL, null, v);
    }

    public static GgufValue strings(String... values) {
        return new GgufValue(Type.ARRAY, Type.STRING, values);
    }

    public static GgufValue floats(float... values) {
        return new GgufValue(Type.ARRAY, Type.FLOAT32, values);
    }

    public static GgufValue int32s(long... values) {
        return new GgufValue(Type.ARRAY, Type.INT32, values);
    }

    /** Number of elements of an array value. */
    public int length() {
        return switch (value) {
            case long[] a -> a.length;
            case float[] a -> a.length;
            case double[] a -> a.length;
            case boolean[] a -> a.length;
            case String[] a -> a.length;
            case GgufValue[] a -> a.length;
            default -> throw new IllegalStateException(type + " is not an array");
        };
    }

    @Override
    public String toString() {
        return switch (value) {
            case long[] a -> Arrays.toString(a);
            case float[] a -> Arrays.toString(a);
            case double[] a -> Arrays.toString(a);
            case boolean[] a -> Arrays.toString(a);
            case Object[] a -> Arrays.toString(a);
            default -> type == Type.UINT64 ? Long.toUnsignedString((Long) value) : String.valueOf(value);
        };
    }
}
