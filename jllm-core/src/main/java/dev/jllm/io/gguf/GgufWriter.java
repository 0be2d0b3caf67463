package dev.jllm.io.gguf;

import dev.jllm.io.AtomicFiles;
import dev.jllm.kernels.quant.GgmlType;
import dev.jllm.kernels.quant.QuantizedMatrix;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GGUF version 3 file (the layout {@link GgufFile} reads): metadata in the order added, then the tensor
 * infos, then each tensor's bytes at a multiple of {@link GgufFile#DEFAULT_ALIGNMENT}. The file is replaced
 * atomically.
 */
public final class GgufWriter {

    private record Entry(String name, GgmlType type, long[] ne, MemorySegment bytes) {}

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<Entry> tensors = new ArrayList<>();

    public GgufWriter put(String key, GgufValue value) {
        metadata.put(key, value);
        return this;
    }

    /** A tensor of {@code type} with dimensions {@code ne} (innermost first) and its encoded bytes. */
    public GgufWriter tensor(String name, GgmlType type, long[] ne, MemorySegment bytes) {
        long n = 1;
        for (long d : ne) n *= d;
        if (type.bytes(n) != bytes.byteSize()) throw new IllegalArgumentException("tensor '" + name + "': " + bytes.byteSize() + " bytes for " + n + " " + type + " values");
        tensors.add(new Entry(name, type, ne.clone(), bytes));
        return this;
    }

    /** A matrix [rows, cols], stored as ne = [cols, rows]. */
    public GgufWriter matrix(String name, QuantizedMatrix m) {
        return tensor(name, m.type(), new long[] {m.cols(), m.rows()}, m.data());
    }

    /** A float32 tensor of {@code shape} (outermost first). */
    public GgufWriter floats(String name, float[] values, int... shape) {
        long[] ne = new long[shape.length];
        for (int i = 0; i < shape.length; i++) ne[i] = shape[shape.length - 1 - i];
        MemorySegment bytes = MemorySegment.ofArray(new byte[4 * values.length]);
        for (int i = 0; i < values.length; i++) bytes.set(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4L * i, values[i]);
        return tensor(name, GgmlType.F32, ne, bytes);
    }

    public void write(Path file) throws IOException {
        int align = GgufFile.DEFAULT_ALIGNMENT;
        if (metadata.containsKey("general.alignment")) {
            align = (int) (long) (Long) metadata.get("general.alignment").value();
        }
        Out h = new Out();
        h.i32(GgufFile.MAGIC).i32(3).i64(tensors.size()).i64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            h.str(e.getKey()).i32(e.getValue().type().ordinal());
            value(h, e.getValue());
        }
        long offset = 0;
        List<Long> offsets = new ArrayList<>();
        for (Entry t : tensors) {
            h.str(t.name()).i32(t.ne().length);
            for (long d : t.ne()) h.i64(d);
            h.i32(t.type().id).i64(offset);
            offsets.add(offset);
            offset = pad(offset + t.bytes().byteSize(), align);
        }
        byte[] header = h.bytes();
        int finalAlign = align;
        AtomicFiles.write(file, out -> {
            writeFully(out, ByteBuffer.wrap(header));
            writeFully(out, ByteBuffer.allocate((int) (pad(header.length, finalAlign) - header.length)));
            long at = 0;
            for (int i = 0; i < tensors.size(); i++) {
                MemorySegment bytes = tensors.get(i).bytes();
                if (offsets.get(i) > at) writeFully(out, ByteBuffer.allocate((int) (offsets.get(i) - at)));
                for (long p = 0; p < bytes.byteSize(); p += 1 << 20) {
                    writeFully(out, bytes.asSlice(p, Math.min(1 << 20, bytes.byteSize() - p)).asByteBuffer());
                }
                at = offsets.get(i) + bytes.byteSize();
            }
        });
    }

    private static long pad(long n, int align) {
        return (n + align - 1) / align * align;
    }

    private static void writeFully(FileChannel out, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) out.write(buf);
    }

    private static void value(Out h, GgufValue v) {
        switch (v.type()) {
            case ARRAY -> {
                h.i32(v.elementType().ordinal()).i64(v.length());
                switch (v.value()) {
                    case long[] a -> { for (long x : a) scalar(h, v.elementType(), x); }
                    case float[] a -> { for (float x : a) h.i32(Float.floatToRawIntBits(x)); }
                    case double[] a -> { for (double x : a) h.i64(Double.doubleToRawLongBits(x)); }
                    case boolean[] a -> { for (boolean x : a) h.b(x ? 1 : 0); }
                    case String[] a -> { for (String x : a) h.str(x); }
                    case GgufValue[] a -> { for (GgufValue x : a) value(h, x); }
                    default -> throw new IllegalArgumentException("bad array value " + v.value().getClass());
                }
            }
            case STRING -> h.str((String) v.value());
            case FLOAT32 -> h.i32(Float.floatToRawIntBits((Float) v.value()));
            case FLOAT64 -> h.i64(Double.doubleToRawLongBits((Double) v.value()));
            case BOOL -> h.b((Boolean) v.value() ? 1 : 0);
            default -> scalar(h, v.type(), (Long) v.value());
        }
    }

    private static void scalar(Out h, GgufValue.Type type, long x) {
        switch (type) {
            case UINT8, INT8 -> h.b((int) x);
            case UINT16, INT16 -> h.i16((int) x);
            case UINT32, INT32 -> h.i32((int) x);
            case UINT64, INT64 -> h.i64(x);
            default -> throw new IllegalArgumentException(type + " is not an integer type");
        }
    }

    /** A little-endian byte buffer that grows. */
    private static final class Out {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        Out b(int v) {
            bytes.write(v);
            return this;
        }

        Out i16(int v) {
            scratch.clear();
            bytes.write(scratch.putShort((short) v).array(), 0, 2);
            return this;
        }

        Out i32(int v) {
            scratch.clear();
            bytes.write(scratch.putInt(v).array(), 0, 4);
            return this;
        }

        Out i64(long v) {
            scratch.clear();
            bytes.write(scratch.putLong(v).array(), 0, 8);
            return this;
        }

        Out str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            bytes.write(b, 0, b.length);
            return this;
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}
