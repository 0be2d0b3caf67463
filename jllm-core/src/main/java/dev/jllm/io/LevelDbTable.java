package dev.jllm.io;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Reads every key/value of an immutable sorted table in LevelDB's format, which TensorFlow uses for the
 * {@code .index} file of a checkpoint.
 *
 * <p>Layout: data blocks, a metaindex block, an index block, then a 48-byte footer holding the block handles of the
 * metaindex and the index (varint offset and size each, zero padded to 40 bytes) and the magic number. The index
 * block maps a separator key to the handle of each data block. A block is a run of entries
 * {@code shared, unshared, valueLength (varints), key suffix, value}, where each key shares {@code shared} leading
 * bytes with the one before (prefix compression), followed by the restart offsets (little-endian u32, where a key
 * is stored whole) and their count. Each block is followed by a compression byte and a masked CRC-32C of the block
 * and that byte.
 */
final class LevelDbTable {

    static final long MAGIC = 0xdb4775248b80fb57L;
    static final int FOOTER = 48;

    private final Path file;
    private final byte[] bytes;

    private LevelDbTable(Path file, byte[] bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    /** All entries of the table in key order; keys are decoded as UTF-8. */
    static Map<String, byte[]> read(Path file, byte[] bytes) {
        LevelDbTable table = new LevelDbTable(file, bytes);
        try {
            return table.entries();
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith(file + ": ")) throw e;
            throw table.error(e.getMessage()); // from the varint decoder
        }
    }

    private Map<String, byte[]> entries() {
        if (bytes.length < FOOTER) throw error("file of " + bytes.length + " bytes is too short for a table footer");
        long magic = le64(bytes.length - 8);
        if (magic != MAGIC) throw error("bad table magic " + Long.toHexString(magic) + " (not a TensorFlow checkpoint index?)");
        ProtoReader footer = new ProtoReader(bytes, bytes.length - FOOTER, FOOTER - 8);
        footer.readVarint(); // metaindex offset: TensorFlow writes no meta blocks
        footer.readVarint(); // metaindex size
        long indexOffset = footer.readVarint();
        long indexSize = footer.readVarint();
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (byte[] handle : block(indexOffset, indexSize).values()) {
            ProtoReader h = new ProtoReader(handle);
            for (Map.Entry<String, byte[]> e : block(h.readVarint(), h.readVarint()).entrySet()) {
                if (entries.put(e.getKey(), e.getValue()) != null) throw error("duplicate key '" + e.getKey() + "'");
            }
        }
        return entries;
    }

    /** The entries of the block at {@code offset}, checked against its trailer. */
    private Map<String, byte[]> block(long offset, long size) {
        if (offset < 0 || size < 4 || offset > bytes.length || size > bytes.length - offset - 5) {
            throw error("block [" + offset + ", +" + size + ") lies outside the file of " + bytes.length + " bytes (truncated?)");
        }
        int start = (int) offset, n = (int) size;
        int type = bytes[start + n];
        if (type != 0) throw error("compressed table blocks (type " + type + ") are not supported");
        CRC32C crc = new CRC32C();
        crc.update(bytes, start, n + 1);
        int stored = (int) le32(start + n + 1);
        if (mask((int) crc.getValue()) != stored) throw error("checksum mismatch in block at offset " + offset + " (corrupt file)");

        long restarts = le32(start + n - 4);
        long entriesEndLong = (long) start + n - 4 - 4 * restarts;
        if (restarts < 1 || entriesEndLong < start) throw error("corrupt block at offset " + offset + ": bad restart count");
        int entriesEnd = (int) entriesEndLong;
        Map<String, byte[]> out = new LinkedHashMap<>();
        byte[] key = new byte[0];
        int pos = start;
        while (pos < entriesEnd) {
            ProtoReader entry = new ProtoReader(bytes, pos, entriesEnd - pos);
            long sharedLong = entry.readVarint();
            long unsharedLong = entry.readVarint();
            long valueLong = entry.readVarint();
            long keyStartLong = pos + varintLengths(sharedLong, unsharedLong, valueLong);
            // In longs: lengths near 2^31 must not wrap around and pass the check.
            if (sharedLong < 0 || sharedLong > key.length || unsharedLong < 0 || valueLong < 0
                    || keyStartLong + unsharedLong + valueLong > entriesEnd) {
                throw error("corrupt entry in block at offset " + offset);
            }
            int shared = (int) sharedLong, unshared = (int) unsharedLong, valueLength = (int) valueLong;
            int keyStart = (int) keyStartLong;
            byte[] next = new byte[shared + unshared];
            System.arraycopy(key, 0, next, 0, shared);
            System.arraycopy(bytes, keyStart, next, shared, unshared);
            key = next;
            byte[] value = new byte[valueLength];
            System.arraycopy(bytes, keyStart + unshared, value, 0, valueLength);
            out.put(new String(key, StandardCharsets.UTF_8), value);
            pos = keyStart + unshared + valueLength;
        }
        return out;
    }

    /** LevelDB stores CRCs rotated and offset, so that a CRC of data holding CRCs stays well distributed. */
    static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    private static int varintLengths(long... values) {
        int n = 0;
        for (long v : values) {
            do {
                n++;
                v >>>= 7;
            } while (v != 0);
        }
        return n;
    }

    private long le32(int at) {
        return (bytes[at] & 0xffL) | (bytes[at + 1] & 0xffL) << 8 | (bytes[at + 2] & 0xffL) << 16 | (bytes[at + 3] & 0xffL) << 24;
    }

    private long le64(int at) {
        return le32(at) | le32(at + 4) << 32;
    }

    private IllegalArgumentException error(String message) {
        return new IllegalArgumentException(file + ": " + message);
    }
}
