package dev.jllm.io.gguf;

import dev.jllm.kernels.quant.Dequantize;
import dev.jllm.kernels.quant.GgmlType;
import dev.jllm.kernels.quant.QuantizedMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An open, memory-mapped GGUF file (versions 2 and 3): its metadata, its tensor infos, and each tensor's bytes in
 * place.
 *
 * <p>The format, little-endian: magic {@code GGUF}, uint32 version, uint64 tensor count, uint64 metadata count;
 * the metadata (string key, uint32 value type, value); the tensor infos (string name, uint32 dimension count, uint64
 * dimensions innermost first, uint32 ggml type, uint64 offset); then, at the next multiple of
 * {@code general.alignment} (32 when absent), the data section, to which the offsets are relative. A string is a
 * uint64 byte count and UTF-8 bytes. Every count, length and offset is checked against the file's size before
 * anything is allocated for it, so a truncated or corrupt file fails with one line that names the file and the
 * problem, never with an out-of-memory error.
 */
public final class GgufFile implements AutoCloseable {

    /** One tensor: {@code ne} innermost first (a matrix [rows, cols] is {@code ne = [cols, rows]}). */
    public record TensorInfo(String name, GgmlType type, long[] ne, long offset) {
        public long numel() {
            long n = 1;
            for (long d : ne) n *= d;
            return n;
        }

        public long bytes() {
            return type.bytes(numel());
        }

        /** The shape outermost first, as jllm's tensors list it. */
        public int[] shape() {
            int[] s = new int[ne.length];
            for (int i = 0; i < ne.length; i++) s[i] = (int) ne[ne.length - 1 - i];
            return s;
        }
    }

    public static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian int
    public static final int DEFAULT_ALIGNMENT = 32;
    static final int MAX_DIMS = 4;
    /** A tensor's values must fit a Java array when read as floats; a matrix's rows and columns an int. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private final Path file;
    private final Arena arena;
    private final int version;
    private final Map<String, GgufValue> metadata;
    private final Map<String, TensorInfo> tensors;
    private final MemorySegment data;
    private final int alignment;

    private GgufFile(Path file, Arena arena, int version, Map<String, GgufValue> metadata,
                     Map<String, TensorInfo> tensors, MemorySegment data, int alignment) {
        this.file = file;
        this.arena = arena;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
        this.data = data;
        this.alignment = alignment;
    }

    /** Whether {@code file} is a regular file that starts with GGUF's magic (Ollama's blobs have no extension). */
    public static boolean isGguf(Path file) {
        if (!java.nio.file.Files.isRegularFile(file)) return false;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining() && ch.read(b) > 0) { }
            return b.position() == 4 && b.getInt(0) == MAGIC;
        } catch (IOException e) {
            return false;
        }
    }

    /** Maps {@code file} and checks its header and tensor infos; close the result to unmap it. */
    public static GgufFile open(Path file) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            // the mapping seen as a plain native segment (same memory, same arena), the kind allocate() makes too
            MemorySegment all = size == 0 ? MemorySegment.NULL
                    : MemorySegment.ofAddress(ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena).address()).reinterpret(size, arena, null);
            Reader r = new Reader(file, all, size);
            if (size < 4 || r.int32() != MAGIC) {
                throw error(file, "not a GGUF file (it does not start with the magic 'GGUF')");
            }
            int version = r.int32();
            if (Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3) {
                throw error(file, "a big-endian GGUF file; jllm reads little-endian files only");
            }
            if (version != 2 && version != 3) {
                throw error(file, "GGUF version " + Integer.toUnsignedString(version) + " is not supported (jllm reads versions 2 and 3)");
            }
            long tensorCount = r.count("tensor count", 24);
            long kvCount = r.count("metadata count", 13);
            Map<String, GgufValue> metadata = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = r.string("metadata key");
                long typeId = r.uint32();
                GgufValue.Type type = GgufValue.Type.byId(typeId);
                if (type == null) throw error(file, "metadata '" + key + "' has unknown value type " + typeId);
                GgufValue v = r.value(key, type, 0);
                if (metadata.put(key, v) != null) throw error(file, "metadata key '" + key + "' appears twice");
            }
            int alignment = alignment(file, metadata.get("general.alignment"));
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            for (long i = 0; i < tensorCount; i++) {
                TensorInfo t = r.tensorInfo();
                if (tensors.put(t.name(), t) != null) throw error(file, "tensor '" + t.name() + "' appears twice");
            }
            long dataStart = (r.pos + alignment - 1) / alignment * alignment;
            if (dataStart > size && !tensors.isEmpty()) {
                throw error(file, "truncated: the data section would start at byte " + dataStart + " but the file has " + size);
            }
            MemorySegment data = dataStart >= size ? MemorySegment.ofArray(new byte[0]) : all.asSlice(dataStart);
            checkPlacement(file, tensors.values(), data.byteSize(), alignment);
            return new GgufFile(file, arena, version, metadata, tensors, data, alignment);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static int alignment(Path file, GgufValue v) {
        if (v == null) return DEFAULT_ALIGNMENT;
        if (!v.type().integer()) throw error(file, "general.alignment is a " + v.type() + ", not an integer");
        long a = (Long) v.value();
        if (a <= 0 || a > (1 << 30) || Long.bitCount(a) != 1) throw error(file, "general.alignment " + v + " is not a power of two");
        return (int) a;
    }

    /** Each tensor inside the data section, aligned, and not overlapping another. */
    private static void checkPlacement(Path file, Iterable<TensorInfo> infos, long dataBytes, int alignment) {
        List<TensorInfo> sorted = new ArrayList<>();
        for (TensorInfo t : infos) {
            if (t.offset() % alignment != 0) {
                throw error(file, "tensor '" + t.name() + "' starts at data offset " + t.offset() + ", not a multiple of the alignment " + alignment);
            }
            if (t.offset() > dataBytes || t.bytes() > dataBytes - t.offset()) {
                throw error(file, "tensor '" + t.name() + "' (" + t.bytes() + " bytes at data offset " + Long.toUnsignedString(t.offset())
                        + ") runs past the end of the file (the data section holds " + dataBytes + " bytes; truncated?)");
            }
            sorted.add(t);
        }
        sorted.sort(Comparator.comparingLong(TensorInfo::offset));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo a = sorted.get(i - 1), b = sorted.get(i);
            if (b.offset() < a.offset() + a.bytes() && b.bytes() > 0 && a.bytes() > 0) {
                throw error(file, "tensors '" + a.name() + "' and '" + b.name() + "' overlap");
            }
        }
    }

    public Path file() {
        return file;
    }

    public int version() {
        return version;
    }

    public int alignment() {
        return alignment;
    }

    /** Every metadata value, in file order. */
    public Map<String, GgufValue> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /** Tensor infos in file order. */
    public Map<String, TensorInfo> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    public boolean hasTensor(String name) {
        return tensors.containsKey(name);
    }

    /** {@code general.architecture}. */
    public String architecture() {
        return string("general.architecture");
    }

    public String string(String key) {
        GgufValue v = require(key);
        if (v.type() != GgufValue.Type.STRING) throw error(file, "metadata '" + key + "' is a " + v.type() + ", not a string");
        return (String) v.value();
    }

    public String string(String key, String fallback) {
        return has(key) ? string(key) : fallback;
    }

    /** An integer of any integer type (UINT64 above Long.MAX_VALUE is refused). */
    public long integer(String key) {
        GgufValue v = require(key);
        if (!v.type().integer()) throw error(file, "metadata '" + key + "' is a " + v.type() + ", not an integer");
        long n = (Long) v.value();
        if (v.type() == GgufValue.Type.UINT64 && n < 0) throw error(file, "metadata '" + key + "' = " + v + " is too large");
        return n;
    }

    public long integer(String key, long fallback) {
        return has(key) ? integer(key) : fallback;
    }

    /** An int-sized positive count, such as a layer or head count. */
    public int count(String key) {
        long n = integer(key);
        if (n < 1 || n > MAX_ELEMENTS) throw error(file, "metadata '" + key + "' = " + n + " is not a usable size");
        return (int) n;
    }

    /** A float of FLOAT32 or FLOAT64 (or an integer). */
    public double real(String key) {
        GgufValue v = require(key);
        return switch (v.value()) {
            case Float f -> f;
            case Double d -> d;
            case Long l when v.type().integer() -> l;
            default -> throw error(file, "metadata '" + key + "' is a " + v.type() + ", not a number");
        };
    }

    public double real(String key, double fallback) {
        return has(key) ? real(key) : fallback;
    }

    public boolean bool(String key, boolean fallback) {
        if (!has(key)) return fallback;
        GgufValue v = require(key);
        if (v.type() != GgufValue.Type.BOOL) throw error(file, "metadata '" + key + "' is a " + v.type() + ", not a bool");
        return (Boolean) v.value();
    }

    public String[] strings(String key) {
        return array(key, String[].class, "strings");
    }

    public long[] integers(String key) {
        return array(key, long[].class, "integers");
    }

    public float[] floats(String key) {
        return array(key, float[].class, "float32 values");
    }

    private <A> A array(String key, Class<A> kind, String what) {
        GgufValue v = require(key);
        if (!kind.isInstance(v.value())) {
            throw error(file, "metadata '" + key + "' is a " + v.type() + (v.elementType() == null ? "" : " of " + v.elementType())
                    + ", not an array of " + what);
        }
        return kind.cast(v.value());
    }

    private GgufValue require(String key) {
        GgufValue v = metadata.get(key);
        if (v == null) throw error(file, "missing metadata key '" + key + "'");
        return v;
    }

    public TensorInfo tensor(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) throw error(file, "no tensor '" + name + "'");
        return t;
    }

    /** The bytes of a tensor, in place (valid until {@link #close}). */
    public MemorySegment bytes(TensorInfo t) {
        return data.asSlice(t.offset(), t.bytes());
    }

    /** A 2-D tensor as a matrix [ne1, ne0], read in place. */
    public QuantizedMatrix matrix(String name) {
        TensorInfo t = tensor(name);
        if (t.ne().length != 2) throw error(file, "tensor '" + name + "' has " + t.ne().length + " dimensions, not 2");
        return new QuantizedMatrix(t.type(), (int) t.ne()[1], (int) t.ne()[0], bytes(t));
    }

    /** A tensor's values as float32 (dequantized exactly as the gguf package does). */
    public float[] floats(TensorInfo t) {
        float[] out = new float[(int) t.numel()];
        long rowBytes = t.type().bytes(t.ne()[0]);
        int cols = (int) t.ne()[0];
        MemorySegment bytes = bytes(t);
        for (int j = 0; j < out.length / Math.max(1, cols); j++) Dequantize.values(t.type(), bytes, j * rowBytes, out, j * cols, cols);
        return out;
    }

    /**
     * Off-heap memory of {@code bytes} (64-byte aligned) that lives as long as this file's mapping, in the same kind of
     * segment as its tensors: matrices copied from the file (permuted rows) and the file's own then reach the block
     * kernels as one class of segment. With two (a mapped segment is a subclass of the native one), C2 compiled the
     * segment's accessors inside the Q8_0 loop as virtual calls (maxAlignMask, unsafeGetOffset: seen in perf), and
     * generate's decoder on the Llama-1B-shaped Q8_0 file ran at 3.2 tok/s against 12.7 for one class (1 thread).
     * So {@link #open} views its mapping as a plain native segment, the class this method returns.
     */
    public MemorySegment allocate(long bytes) {
        return arena.allocate(bytes, 64);
    }

    @Override
    public void close() {
        arena.close();
    }

    static IllegalArgumentException error(Path file, String message) {
        return new IllegalArgumentException(file + ": " + message);
    }

    /** A cursor over the header that checks every read against the file's size. */
    private static final class Reader {
        private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        /** Arrays of arrays deeper than this are refused (a crafted file could otherwise recurse without end). */
        private static final int MAX_DEPTH = 8;

        final Path file;
        final MemorySegment seg;
        final long size;
        long pos;

        Reader(Path file, MemorySegment seg, long size) {
            this.file = file;
            this.seg = seg;
            this.size = size;
        }

        void need(long n, String what) {
            if (n < 0 || n > size - pos) {
                throw error(file, "truncated: " + what + " needs " + (n < 0 ? Long.toUnsignedString(n) : n) + " bytes at offset " + pos
                        + " but the file has " + size);
            }
        }

        int int32() {
            need(4, "a 32-bit field");
            int v = seg.get(INT, pos);
            pos += 4;
            return v;
        }

        long uint32() {
            return int32() & 0xFFFFFFFFL;
        }

        long int64() {
            need(8, "a 64-bit field");
            long v = seg.get(LONG, pos);
            pos += 8;
            return v;
        }

        /** A uint64 count of items each taking at least {@code minBytes}: refused when they cannot fit the file. */
        long count(String what, long minBytes) {
            long at = pos, n = int64();
            if (n < 0 || (minBytes > 0 && n > (size - pos) / minBytes)) {
                throw error(file, what + " " + Long.toUnsignedString(n) + " at offset " + at + " cannot fit in the "
                        + (size - pos) + " bytes left of the file (corrupt or truncated)");
            }
            return n;
        }

        String string(String what) {
            long at = pos, n = int64();
            if (n < 0 || n > size - pos) {
                throw error(file, what + " at offset " + at + " claims " + Long.toUnsignedString(n) + " bytes but only "
                        + (size - pos) + " are left in the file (corrupt or truncated)");
            }
            if (n > Integer.MAX_VALUE - 8) throw error(file, what + " at offset " + at + " is " + n + " bytes long, too long for a string");
            byte[] bytes = seg.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE);
            pos += n;
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                // Token pieces of some vocabularies are not valid UTF-8 on their own; keep them as lossy text.
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }

        GgufValue value(String key, GgufValue.Type type, int depth) {
            return switch (type) {
                case UINT8 -> new GgufValue(type, null, (long) (byte1() & 0xFF));
                case INT8 -> new GgufValue(type, null, (long) byte1());
                case UINT16 -> new GgufValue(type, null, (long) (short2() & 0xFFFF));
                case INT16 -> new GgufValue(type, null, (long) short2());
                case UINT32 -> new GgufValue(type, null, uint32());
                case INT32 -> new GgufValue(type, null, (long) int32());
                case UINT64, INT64 -> new GgufValue(type, null, int64());
                case FLOAT32 -> new GgufValue(type, null, Float.intBitsToFloat(int32()));
                case FLOAT64 -> new GgufValue(type, null, Double.longBitsToDouble(int64()));
                case BOOL -> new GgufValue(type, null, bool(key));
                case STRING -> new GgufValue(type, null, string("metadata '" + key + "' string"));
                case ARRAY -> array(key, depth);
            };
        }

        private byte byte1() {
            need(1, "a byte");
            return seg.get(ValueLayout.JAVA_BYTE, pos++);
        }

        private short short2() {
            need(2, "a 16-bit field");
            short v = seg.get(SHORT, pos);
            pos += 2;
            return v;
        }

        private boolean bool(String key) {
            byte b = byte1();
            if (b != 0 && b != 1) throw error(file, "metadata '" + key + "' bool has value " + b + " (not 0 or 1)");
            return b == 1;
        }

        private GgufValue array(String key, int depth) {
            if (depth >= MAX_DEPTH) throw error(file, "metadata '" + key + "' nests arrays deeper than " + MAX_DEPTH);
            long typeId = uint32();
            GgufValue.Type et = GgufValue.Type.byId(typeId);
            if (et == null) throw error(file, "metadata '" + key + "' is an array of unknown value type " + typeId);
            long n = count("metadata '" + key + "' array length", et.minBytes);
            if (n > MAX_ELEMENTS) throw error(file, "metadata '" + key + "' array of " + n + " elements is too long");
            int len = (int) n;
            Object values = switch (et) {
                case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> {
                    long[] a = new long[len];
                    for (int i = 0; i < len; i++) a[i] = (Long) value(key, et, depth).value();
                    yield a;
                }
                case FLOAT32 -> {
                    float[] a = new float[len];
                    for (int i = 0; i < len; i++) a[i] = Float.intBitsToFloat(int32());
                    yield a;
                }
                case FLOAT64 -> {
                    double[] a = new double[len];
                    for (int i = 0; i < len; i++) a[i] = Double.longBitsToDouble(int64());
                    yield a;
                }
                case BOOL -> {
                    boolean[] a = new boolean[len];
                    for (int i = 0; i < len; i++) a[i] = bool(key);
                    yield a;
                }
                case STRING -> {
                    String[] a = new String[len];
                    for (int i = 0; i < len; i++) a[i] = string("metadata '" + key + "' element " + i);
                    yield a;
                }
                case ARRAY -> {
                    GgufValue[] a = new GgufValue[len];
                    for (int i = 0; i < len; i++) a[i] = array(key, depth + 1);
                    yield a;
                }
            };
            return new GgufValue(GgufValue.Type.ARRAY, et, values);
        }

        TensorInfo tensorInfo() {
            String name = string("tensor name");
            long dims = uint32();
            if (dims < 1 || dims > MAX_DIMS) throw error(file, "tensor '" + name + "' has " + dims + " dimensions (1 to " + MAX_DIMS + " allowed)");
            long[] ne = new long[(int) dims];
            long numel = 1;
            for (int i = 0; i < ne.length; i++) {
                ne[i] = int64();
                if (ne[i] < 0 || ne[i] > MAX_ELEMENTS) {
                    throw error(file, "tensor '" + name + "' has dimension " + Long.toUnsignedString(ne[i]) + ", too large");
                }
                numel = Math.multiplyHigh(numel, ne[i]) != 0 ? Long.MAX_VALUE : numel * ne[i];
                if (numel > MAX_ELEMENTS) throw error(file, "tensor '" + name + "' " + Arrays.toString(ne) + " has too many elements");
            }
            long typeId = uint32();
            GgmlType type = GgmlType.byId(typeId);
            if (type == null) {
                throw error(file, "tensor '" + name + "' has type " + GgmlType.describe(typeId) + " (" + typeId + "), which jllm does not read"
                        + " (it reads " + Arrays.toString(GgmlType.values()) + ")");
            }
            if (!type.fits(ne[0])) {
                throw error(file, "tensor '" + name + "' rows of " + ne[0] + " values are not whole " + type + " blocks of " + type.blockSize);
            }
            long offset = int64();
            if (offset < 0) throw error(file, "tensor '" + name + "' has offset " + Long.toUnsignedString(offset) + ", past the end of the file");
            return new TensorInfo(name, type, ne, offset);
        }
    }
}
