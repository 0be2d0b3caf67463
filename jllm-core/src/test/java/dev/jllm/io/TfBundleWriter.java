package dev.jllm.io;

import dev.jllm.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Test-only writer of TensorFlow V2 checkpoints (float32, one shard), written from the format's description so that
 * {@link TfCheckpoint} can be tested without TensorFlow. Small blocks and a short restart interval make even a tiny
 * checkpoint exercise several data blocks, prefix compression and restart points.
 */
final class TfBundleWriter {

    private final int restartInterval;
    private final int blockSize;

    TfBundleWriter(int restartInterval, int blockSize) {
        this.restartInterval = restartInterval;
        this.blockSize = blockSize;
    }

    /** Writes {@code prefix.index} and {@code prefix.data-00000-of-00001}. */
    void write(Path prefix, Map<String, Tensor> tensors) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        TreeMap<String, byte[]> entries = new TreeMap<>(); // keys sorted as the table requires; "" (header) first
        entries.put("", header());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            float[] v = e.getValue().data();
            ByteBuffer bytes = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(v);
            CRC32C crc = new CRC32C();
            crc.update(bytes.array());
            entries.put(e.getKey(), entry(e.getValue().shape(), data.size(), v.length * 4L, LevelDbTable.mask((int) crc.getValue())));
            data.write(bytes.array());
        }
        Files.write(TfCheckpoint.dataFile(prefix, 0, 1), data.toByteArray());
        Files.write(TfCheckpoint.indexFile(prefix), table(entries));
    }

    /** The LevelDB-format table: data blocks, an empty metaindex block, the index block, the footer. */
    byte[] table(TreeMap<String, byte[]> entries) {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        List<byte[][]> index = new ArrayList<>(); // {last key of block, handle}
        List<byte[][]> block = new ArrayList<>();
        int blockBytes = 0;
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
            block.add(new byte[][] {key, e.getValue()});
            blockBytes += key.length + e.getValue().length;
            if (blockBytes >= blockSize) {
                index.add(new byte[][] {key, writeBlock(file, block)});
                block.clear();
                blockBytes = 0;
            }
        }
        if (!block.isEmpty()) index.add(new byte[][] {block.get(block.size() - 1)[0], writeBlock(file, block)});
        return finish(file, index);
    }

    /** Appends the empty metaindex block, the index block and the footer. */
    private byte[] finish(ByteArrayOutputStream file, List<byte[][]> index) {
        byte[] metaHandle = writeBlock(file, List.of());
        byte[] indexHandle = writeBlock(file, index);
        byte[] footer = new byte[LevelDbTable.FOOTER];
        System.arraycopy(metaHandle, 0, footer, 0, metaHandle.length);
        System.arraycopy(indexHandle, 0, footer, metaHandle.length, indexHandle.length);
        ByteBuffer.wrap(footer, 40, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(LevelDbTable.MAGIC);
        file.writeBytes(footer);
        return file.toByteArray();
    }

    /** A table whose one data block has exactly {@code contents} (entries, restarts and count), for corrupt blocks. */
    byte[] tableWithRawBlock(byte[] contents) {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        byte[] handle = appendBlock(file, contents);
        return finish(file, List.<byte[][]>of(new byte[][] {"a".getBytes(StandardCharsets.UTF_8), handle}));
    }

    /** Appends a block with its trailer and returns its handle (varint offset, varint size). */
    private byte[] writeBlock(ByteArrayOutputStream file, List<byte[][]> kvs) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        List<Integer> restarts = new ArrayList<>();
        byte[] prev = new byte[0];
        for (int i = 0; i < kvs.size(); i++) {
            byte[] key = kvs.get(i)[0], value = kvs.get(i)[1];
            int shared = 0;
            if (i % restartInterval == 0) {
                restarts.add(b.size());
            } else {
                while (shared < Math.min(prev.length, key.length) && prev[shared] == key[shared]) shared++;
            }
            varint(b, shared);
            varint(b, key.length - shared);
            varint(b, value.length);
            b.write(key, shared, key.length - shared);
            b.writeBytes(value);
            prev = key;
        }
        if (restarts.isEmpty()) restarts.add(0);
        for (int r : restarts) le32(b, r);
        le32(b, restarts.size());
        return appendBlock(file, b.toByteArray());
    }

    private static byte[] appendBlock(ByteArrayOutputStream file, byte[] contents) {
        long offset = file.size();
        file.writeBytes(contents);
        file.write(0); // no compression
        CRC32C crc = new CRC32C();
        crc.update(contents);
        crc.update(0);
        le32(file, LevelDbTable.mask((int) crc.getValue()));
        ByteArrayOutputStream handle = new ByteArrayOutputStream();
        varint(handle, offset);
        varint(handle, contents.length);
        return handle.toByteArray();
    }

    /** BundleHeaderProto{num_shards: 1, version: {producer: 1}}. */
    private static byte[] header() {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        tag(h, 1, 0);
        varint(h, 1);
        tag(h, 3, 2);
        varint(h, 2);
        tag(h, 1, 0);
        varint(h, 1);
        return h.toByteArray();
    }

    /** BundleEntryProto{dtype: DT_FLOAT, shape, shard_id: 0, offset, size, crc32c}. */
    static byte[] entry(int[] shape, long offset, long size, int crc) {
        return entry(TfCheckpoint.DT_FLOAT, shape, offset, size, crc);
    }

    static byte[] entry(int dtype, int[] shape, long offset, long size, int crc) {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        tag(e, 1, 0);
        varint(e, dtype);
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        for (int d : shape) {
            ByteArrayOutputStream dim = new ByteArrayOutputStream();
            tag(dim, 1, 0);
            varint(dim, d);
            tag(s, 2, 2);
            varint(s, dim.size());
            s.writeBytes(dim.toByteArray());
        }
        tag(e, 2, 2);
        varint(e, s.size());
        e.writeBytes(s.toByteArray());
        if (offset != 0) { // proto3 leaves default values out, as TensorFlow does
            tag(e, 4, 0);
            varint(e, offset);
        }
        tag(e, 5, 0);
        varint(e, size);
        tag(e, 6, 5);
        le32(e, crc);
        return e.toByteArray();
    }

    static void tag(ByteArrayOutputStream out, int field, int wireType) {
        varint(out, (long) field << 3 | wireType);
    }

    static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }

    static void le32(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }
}
