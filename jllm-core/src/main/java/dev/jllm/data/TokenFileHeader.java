package dev.jllm.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The 32-byte header of a token file (docs/token-file-format.md), all fields little-endian:
 * <pre>
 * offset  size  field
 *      0     8  magic "JLLMTOK" followed by a zero byte
 *      8     4  version (1)
 *     12     4  bytes per id: 2 (uint16) or 4 (uint32)
 *     16     8  count: number of ids
 *     24     4  vocabulary size: every id is below it
 *     28     4  reserved, 0
 * </pre>
 * The ids follow at offset 32.
 */
public record TokenFileHeader(int bytesPerId, long count, int vocabSize) {
    public static final int SIZE = 32;
    public static final int VERSION = 1;
    static final byte[] MAGIC = "JLLMTOK\0".getBytes(StandardCharsets.US_ASCII);

    public TokenFileHeader {
        if (bytesPerId != 2 && bytesPerId != 4) {
            throw new IllegalArgumentException("bytes per id must be 2 (uint16) or 4 (uint32), got " + bytesPerId);
        }
        if (vocabSize < 1) throw new IllegalArgumentException("vocabulary size must be >= 1, got " + vocabSize);
        if (bytesPerId == 2 && vocabSize > 65536) {
            throw new IllegalArgumentException("uint16 ids cannot hold a vocabulary of " + vocabSize);
        }
        if (count < 0) throw new IllegalArgumentException("count must be >= 0, got " + count);
    }

    /** The narrowest width for a vocabulary: uint16 up to 65,536 ids, else uint32. */
    public static int bytesPerIdFor(int vocabSize) {
        return vocabSize <= 65536 ? 2 : 4;
    }

    /** Bytes of the id section. */
    public long dataBytes() {
        return count * bytesPerId;
    }

    ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(bytesPerId).putLong(count).putInt(vocabSize).putInt(0);
        return b.flip();
    }

    /** Parses and checks a header read from {@code file} that is {@code fileSize} bytes long. */
    static TokenFileHeader decode(ByteBuffer b, Path file, long fileSize) {
        if (fileSize < SIZE) {
            throw new IllegalArgumentException(file + ": truncated token file: " + fileSize
                    + " bytes, shorter than the " + SIZE + "-byte header");
        }
        b.order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[MAGIC.length];
        b.get(magic);
        if (!Arrays.equals(magic, MAGIC)) throw new IllegalArgumentException(file + ": not a jllm token file (bad magic)");
        int version = b.getInt();
        if (version != VERSION) {
            throw new IllegalArgumentException(file + ": unsupported token file version " + version
                    + " (this jllm reads version " + VERSION + ")");
        }
        int width = b.getInt();
        long count = b.getLong();
        int vocabSize = b.getInt();
        TokenFileHeader header;
        try {
            header = new TokenFileHeader(width, count, vocabSize);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": bad token file header: " + e.getMessage());
        }
        long data = fileSize - SIZE;
        if (count > Long.MAX_VALUE / width) {
            throw new IllegalArgumentException(file + ": corrupt token file: the header's count " + count + " is impossible");
        }
        if (data != header.dataBytes()) {
            throw new IllegalArgumentException(file + ": " + (data < header.dataBytes() ? "truncated" : "corrupt")
                    + " token file: the header says " + count + " ids (" + header.dataBytes() + " bytes) but "
                    + data + " bytes follow the header");
        }
        return header;
    }
}
