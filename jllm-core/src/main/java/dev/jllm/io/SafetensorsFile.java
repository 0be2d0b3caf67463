package dev.jllm.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An open, memory-mapped safetensors file: the validated header, and each tensor read on demand as floats.
 *
 * <p>The format: an unsigned 64-bit little-endian header length {@code n}, then {@code n} bytes of JSON mapping each
 * tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (plus an optional string map under
 * {@code "__metadata__"}), then the data region, to which the offsets are relative. Everything in the header is
 * checked against the file before any tensor is read, so a corrupt or truncated file fails up front with a message
 * that names the file and the tensor.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** One tensor's header entry; {@code begin}/{@code end} are byte offsets into the data region. */
    public record Entry(String name, Dtype dtype, int[] shape, long begin, long end) {
        public long numel() {
            return Tensor.numel(shape);
        }
    }

    /** The safetensors reference implementation refuses headers above 100 MB; so do we. */
    static final long MAX_HEADER = 100_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final Path file;
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path file, Arena arena, MemorySegment data, Map<String, Entry> entries,
                            Map<String, String> metadata) {
        this.file = file;
        this.arena = arena;
        this.data = data;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Maps {@code file} and validates its header; close the result to unmap it. */
    public static SafetensorsFile open(Path file) throws IOException {
        return open(file, Arena.ofShared());
    }

    /**
     * Maps {@code file} for as long as its tensors' bytes are reachable (the garbage collector unmaps it; closing
     * does nothing): for weights a model keeps reading in place.
     */
    public static SafetensorsFile openKept(Path file) throws IOException {
        return open(file, Arena.ofAuto());
    }

    private static SafetensorsFile open(Path file, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw error(file, "file of " + size + " bytes is too short for a safetensors header");
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long n = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (n < 0 || n > size - 8) {
                throw error(file, "header length " + Long.toUnsignedString(n) + " runs past the end of the file ("
                        + size + " bytes; truncated or not safetensors)");
            }
            if (n > MAX_HEADER) throw error(file, "header of " + n + " bytes exceeds the " + MAX_HEADER + " byte limit");
            byte[] header = all.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment data = all.asSlice(8 + n);
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, Entry> entries = parseHeader(file, header, data.byteSize(), metadata);
            return new SafetensorsFile(file, arena, data, entries, metadata);
        } catch (IOException | RuntimeException e) {
            close(arena);
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    /** Header entries in file order. */
    public Map<String, Entry> entries() {
        return Collections.unmodifiableMap(entries);
    }

    public Set<String> names() {
        return entries().keySet();
    }

    /** The {@code __metadata__} strings (empty when the file has none). */
    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /** Reads one tensor, converted to float32. */
    public Tensor read(String name) {
        Entry e = entries.get(name);
        if (e == null) throw error(file, "no tensor '" + name + "'");
        if (!e.dtype().readable()) {
            throw error(file, "tensor '" + name + "' has unsupported dtype " + e.dtype() + " (jllm reads F32, F16 and BF16)");
        }
        float[] values = new float[Math.toIntExact(e.numel())];
        e.dtype().decode(data, e.begin(), values);
        return Tensor.of(values, e.shape());
    }

    /** One tensor's raw bytes, in place in the mapped file (valid until {@link #close}). */
    public MemorySegment bytes(String name) {
        Entry e = entries.get(name);
        if (e == null) throw error(file, "no tensor '" + name + "'");
        return data.asSlice(e.begin(), e.end() - e.begin());
    }

    /** Reads every tensor and the metadata. */
    public StateDict readAll() {
        StateDict dict = new StateDict();
        for (String name : entries.keySet()) dict.put(name, read(name));
        dict.metadata().putAll(metadata);
        return dict;
    }

    @Override
    public void close() {
        close(arena);
    }

    private static void close(Arena arena) {
        try {
            arena.close();
        } catch (UnsupportedOperationException kept) { // an automatic arena: unmapped when unreachable
        }
    }

    private static Map<String, Entry> parseHeader(Path file, byte[] header, long dataBytes,
                                                  Map<String, String> metadata) {
        JsonNode root;
        try {
            root = JSON.readTree(new String(header, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw error(file, "malformed JSON header: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw error(file, "header is not a JSON object");
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("__metadata__")) {
                readMetadata(file, field.getValue(), metadata);
            } else {
                Entry e = parseEntry(file, field.getKey(), field.getValue());
                if (e.end() > dataBytes) {
                    throw error(file, "tensor '" + e.name() + "' ends at data byte " + e.end() + " but the data region"
                            + " holds only " + dataBytes + " bytes (truncated file?)");
                }
                entries.put(e.name(), e);
            }
        }
        checkNoOverlap(file, entries.values());
        return entries;
    }

    private static Entry parseEntry(Path file, String name, JsonNode node) {
        String where = "tensor '" + name + "': ";
        if (!node.isObject()) throw error(file, where + "header entry is not a JSON object");
        JsonNode dtypeNode = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsetsNode = node.get("data_offsets");
        if (dtypeNode == null || !dtypeNode.isTextual()) throw error(file, where + "missing dtype");
        if (shapeNode == null || !shapeNode.isArray()) throw error(file, where + "missing shape");
        if (offsetsNode == null || !offsetsNode.isArray() || offsetsNode.size() != 2) {
            throw error(file, where + "data_offsets must be [begin, end]");
        }
        Dtype dtype = dtype(file, name, dtypeNode.asText());
        int[] shape = new int[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToInt() || !d.isIntegralNumber() || d.asInt() < 0) {
                throw error(file, where + "bad dimension " + d + " in shape " + shapeNode);
            }
            shape[i] = d.asInt();
        }
        long begin = offset(file, where, offsetsNode.get(0));
        long end = offset(file, where, offsetsNode.get(1));
        if (begin > end) throw error(file, where + "data_offsets [" + begin + ", " + end + "] end before they begin");
        long numel;
        try {
            numel = Tensor.numel(shape);
        } catch (IllegalArgumentException overflow) {
            throw error(file, where + overflow.getMessage());
        }
        if (numel > Integer.MAX_VALUE) throw error(file, where + "shape " + shapeNode + " has too many values for a tensor");
        if (numel * dtype.bytes != end - begin) {
            throw error(file, where + "shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + numel * dtype.bytes + " bytes but data_offsets [" + begin + ", " + end + "] cover " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static Dtype dtype(Path file, String name, String text) {
        Dtype d = Dtype.parse(text);
        if (d == null) throw error(file, "tensor '" + name + "': unknown dtype " + text);
        return d;
    }

    private static long offset(Path file, String where, JsonNode n) {
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
            throw error(file, where + "bad data offset " + n);
        }
        return n.asLong();
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> metadata) {
        if (!node.isObject()) throw error(file, "__metadata__ is not a JSON object");
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getValue().isTextual()) throw error(file, "__metadata__ value of '" + f.getKey() + "' is not a string");
            metadata.put(f.getKey(), f.getValue().asText());
        }
    }

    private static void checkNoOverlap(Path file, Iterable<Entry> entries) {
        List<Entry> sorted = new ArrayList<>();
        entries.forEach(sorted::add);
        sorted.removeIf(e -> e.begin() == e.end()); // empty tensors occupy no bytes
        sorted.sort(Comparator.comparingLong(Entry::begin));
        for (int i = 1; i < sorted.size(); i++) {
            Entry a = sorted.get(i - 1);
            Entry b = sorted.get(i);
            if (b.begin() < a.end()) {
                throw error(file, "tensors '" + a.name() + "' [" + a.begin() + ", " + a.end() + ") and '" + b.name()
                        + "' [" + b.begin() + ", " + b.end() + ") overlap");
            }
        }
    }

    static IllegalArgumentException error(Path file, String message) {
        return new IllegalArgumentException(file + ": " + message);
    }
}
