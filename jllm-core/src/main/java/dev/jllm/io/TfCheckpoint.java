package dev.jllm.io;

import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Reads a TensorFlow (V2) checkpoint, the format of OpenAI's original GPT-2 release: {@code PREFIX.index} is a
 * {@link LevelDbTable} whose empty key holds a {@code BundleHeaderProto} and whose other keys are tensor names with a
 * {@code BundleEntryProto} each (dtype, shape, shard, offset, size, masked CRC-32C); the raw little-endian values
 * live in {@code PREFIX.data-00000-of-0000N}.
 */
public final class TfCheckpoint {

    /** A tensor's place in the data files, from its {@code BundleEntryProto}. */
    record Entry(String name, int dtype, int[] shape, int shard, long offset, long size, int crc32c) {}

    // TensorFlow's DataType enum values that jllm reads
    static final int DT_FLOAT = 1, DT_BFLOAT16 = 14, DT_HALF = 19;

    private TfCheckpoint() {}

    /** Whether {@code PREFIX.index} exists for {@code prefix} (for example {@code dir/model.ckpt}). */
    public static boolean exists(Path prefix) {
        return Files.isRegularFile(indexFile(prefix));
    }

    /** Every tensor of the checkpoint {@code prefix}, converted to float32, under its TensorFlow name. */
    public static StateDict read(Path prefix) throws IOException {
        Path index = indexFile(prefix);
        Map<String, byte[]> table = LevelDbTable.read(index, Files.readAllBytes(index));
        byte[] header = table.remove("");
        if (header == null) throw new IllegalArgumentException(index + ": no bundle header (empty key)");
        List<Entry> entries = new ArrayList<>();
        int shards;
        String at = "bundle header";
        try {
            shards = parseHeader(index, header);
            for (Map.Entry<String, byte[]> e : table.entrySet()) {
                at = "tensor '" + e.getKey() + "'";
                entries.add(parseEntry(index, e.getKey(), e.getValue()));
            }
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith(index + ": ")) throw e;
            throw new IllegalArgumentException(index + ": " + at + ": " + e.getMessage()); // from the protobuf decoder
        }

        StateDict dict = new StateDict();
        try (Arena arena = Arena.ofConfined()) {
            // Only the shards that tensors name are mapped: the header's count is a claim, not an allocation size.
            Map<Integer, MemorySegment> data = new HashMap<>();
            for (Entry e : entries) {
                if (e.shard() < 0 || e.shard() >= shards) {
                    throw new IllegalArgumentException(index + ": tensor '" + e.name() + "' is in shard " + e.shard()
                            + " of " + shards);
                }
                Path file = dataFile(prefix, e.shard(), shards);
                MemorySegment shard = data.get(e.shard());
                if (shard == null) data.put(e.shard(), shard = map(file, arena));
                dict.put(e.name(), readTensor(file, shard, e));
            }
        }
        return dict;
    }

    static Path indexFile(Path prefix) {
        return prefix.resolveSibling(prefix.getFileName() + ".index");
    }

    static Path dataFile(Path prefix, int shard, int shards) {
        return prefix.resolveSibling(prefix.getFileName() + String.format(".data-%05d-of-%05d", shard, shards));
    }

    private static MemorySegment map(Path file, Arena arena) throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": checkpoint data file is missing");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        }
    }

    private static Tensor readTensor(Path file, MemorySegment data, Entry e) {
        String where = file + ": tensor '" + e.name() + "'";
        Dtype dtype = switch (e.dtype()) {
            case DT_FLOAT -> Dtype.F32;
            case DT_HALF -> Dtype.F16;
            case DT_BFLOAT16 -> Dtype.BF16;
            default -> throw new IllegalArgumentException(where + ": unsupported TensorFlow dtype " + e.dtype()
                    + " (jllm reads DT_FLOAT, DT_HALF and DT_BFLOAT16)");
        };
        long numel;
        try {
            numel = Tensor.numel(e.shape());
        } catch (IllegalArgumentException overflow) {
            throw new IllegalArgumentException(where + ": " + overflow.getMessage());
        }
        if (numel > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(where + ": shape " + Arrays.toString(e.shape()) + " has too many values");
        }
        if (numel * dtype.bytes != e.size()) {
            throw new IllegalArgumentException(where + ": shape " + Arrays.toString(e.shape()) + " of " + dtype + " needs "
                    + numel * dtype.bytes + " bytes but the index says " + e.size());
        }
        if (e.offset() < 0 || e.size() < 0 || e.offset() > data.byteSize() - e.size()) {
            throw new IllegalArgumentException(where + ": bytes [" + e.offset() + ", " + (e.offset() + e.size())
                    + ") lie beyond the end of the file (" + data.byteSize() + " bytes; truncated?)");
        }
        MemorySegment bytes = data.asSlice(e.offset(), e.size());
        CRC32C crc = new CRC32C();
        crc.update(bytes.asByteBuffer());
        if (LevelDbTable.mask((int) crc.getValue()) != e.crc32c()) {
            throw new IllegalArgumentException(where + ": checksum mismatch (corrupt data file)");
        }
        float[] values = new float[Math.toIntExact(numel)];
        dtype.decode(bytes, 0, values);
        return Tensor.of(values, e.shape());
    }

    /** {@code BundleHeaderProto}: num_shards = 1, endianness = 2 (0 little, 1 big), version = 3. */
    private static int parseHeader(Path index, byte[] header) {
        int shards = 1;
        ProtoReader r = new ProtoReader(header);
        for (int f; (f = r.nextField()) != -1; ) {
            switch (f) {
                case 1 -> {
                    long n = r.readVarint();
                    if (n < 1 || n > 99_999) throw new IllegalArgumentException(index + ": bad shard count " + n);
                    shards = (int) n; // the data files are numbered with five digits
                }
                case 2 -> {
                    if (r.readVarint() != 0) throw new IllegalArgumentException(index + ": big-endian checkpoints are not supported");
                }
                default -> r.skip();
            }
        }
        if (shards < 1) throw new IllegalArgumentException(index + ": bad shard count " + shards);
        return shards;
    }

    /**
     * {@code BundleEntryProto}: dtype = 1, shape = 2 ({@code TensorShapeProto}: repeated dim = 2, each with size = 1),
     * shard_id = 3, offset = 4, size = 5, crc32c = 6 (fixed32), slices = 7.
     */
    private static Entry parseEntry(Path index, String name, byte[] value) {
        int dtype = 0, shard = 0, crc = 0;
        long offset = 0, size = 0;
        List<Integer> shape = new ArrayList<>();
        ProtoReader r = new ProtoReader(value);
        for (int f; (f = r.nextField()) != -1; ) {
            switch (f) {
                case 1 -> dtype = (int) r.readVarint();
                case 2 -> {
                    ProtoReader s = r.readMessage();
                    for (int g; (g = s.nextField()) != -1; ) {
                        if (g != 2) {
                            s.skip();
                            continue;
                        }
                        ProtoReader dim = s.readMessage();
                        long d = 0;
                        for (int h; (h = dim.nextField()) != -1; ) {
                            if (h == 1) d = dim.readVarint();
                            else dim.skip();
                        }
                        if (d < 0 || d > Integer.MAX_VALUE) {
                            throw new IllegalArgumentException(index + ": tensor '" + name + "' has bad dimension " + d);
                        }
                        shape.add((int) d);
                    }
                }
                case 3 -> {
                    long s = r.readVarint();
                    if (s < 0 || s > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException(index + ": tensor '" + name + "' has bad shard " + s);
                    }
                    shard = (int) s;
                }
                case 4 -> offset = r.readVarint();
                case 5 -> size = r.readVarint();
                case 6 -> crc = r.readFixed32();
                case 7 -> throw new IllegalArgumentException(index + ": tensor '" + name
                        + "' is stored in slices (partitioned variables are not supported)");
                default -> r.skip();
            }
        }
        return new Entry(name, dtype, shape.stream().mapToInt(Integer::intValue).toArray(), shard, offset, size, crc);
    }
}
