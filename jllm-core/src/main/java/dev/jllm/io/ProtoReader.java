package dev.jllm.io;

/**
 * A minimal reader of the protocol buffer wire format, enough for TensorFlow's bundle index: walk the fields of a
 * message, read varints, fixed32 values and length-delimited sub-messages, skip everything else.
 *
 * <p>Each field starts with a varint key {@code (number << 3) | wireType}; wire type 0 is a varint, 1 eight bytes,
 * 2 a varint length then that many bytes, 5 four bytes.
 */
final class ProtoReader {

    static final int VARINT = 0, FIXED64 = 1, LENGTH_DELIMITED = 2, FIXED32 = 5;

    private final byte[] buf;
    private int pos;
    private final int end;
    private int wireType;

    ProtoReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    ProtoReader(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
    }

    /** Advances to the next field and returns its number, or -1 at the end of the message. */
    int nextField() {
        if (pos >= end) return -1;
        long key = readVarint();
        wireType = (int) (key & 7);
        int number = (int) (key >>> 3);
        if (number == 0) throw new IllegalArgumentException("corrupt protobuf: field number 0");
        return number;
    }

    int wireType() {
        return wireType;
    }

    long readVarint() {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) throw new IllegalArgumentException("corrupt protobuf: varint runs past the end");
            byte b = buf[pos++];
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) return value;
        }
        throw new IllegalArgumentException("corrupt protobuf: varint longer than 10 bytes");
    }

    int readFixed32() {
        need(4);
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16 | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    /** The current length-delimited field as a reader of its own. */
    ProtoReader readMessage() {
        int length = length(readVarint());
        need(length);
        ProtoReader sub = new ProtoReader(buf, pos, length);
        pos += length;
        return sub;
    }

    /** Skips the value of the current field. */
    void skip() {
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> { need(8); pos += 8; }
            case LENGTH_DELIMITED -> { int n = length(readVarint()); need(n); pos += n; }
            case FIXED32 -> { need(4); pos += 4; }
            default -> throw new IllegalArgumentException("corrupt protobuf: unsupported wire type " + wireType);
        }
    }

    private void need(int n) {
        if (n < 0 || n > end - pos) throw new IllegalArgumentException("corrupt protobuf: field runs past the end");
    }

    private int length(long n) {
        if (n < 0 || n > end - pos) throw new IllegalArgumentException("corrupt protobuf: field of " + n + " bytes runs past the end");
        return (int) n;
    }
}
