package dev.jllm.data;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A token file opened by memory mapping (docs/token-file-format.md): the ids stay on disk and the operating
 * system pages in what is read, so a corpus larger than the heap can feed a {@link SlidingWindowDataset}.
 * The header and the file size are checked when opening. Thread-safe for reading; close it when done.
 */
public final class TokenFile implements TokenSequence, AutoCloseable {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final TokenFileHeader header;
    private final Arena arena;
    private final MemorySegment ids;

    private TokenFile(Path path, TokenFileHeader header, Arena arena, MemorySegment ids) {
        this.path = path;
        this.header = header;
        this.arena = arena;
        this.ids = ids;
    }

    public static TokenFile open(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer head = ByteBuffer.allocate(TokenFileHeader.SIZE);
            while (head.hasRemaining() && channel.read(head, head.position()) > 0) {
                // read until the header is full or the file ends
            }
            TokenFileHeader header = TokenFileHeader.decode(head.flip(), path, size);
            Arena arena = Arena.ofShared();
            MemorySegment ids = header.count() == 0 ? MemorySegment.NULL
                    : channel.map(FileChannel.MapMode.READ_ONLY, TokenFileHeader.SIZE, header.dataBytes(), arena);
            return new TokenFile(path, header, arena, ids);
        }
    }

    public Path path() {
        return path;
    }

    public int vocabSize() {
        return header.vocabSize();
    }

    /** 2 for uint16 ids, 4 for uint32. */
    public int bytesPerId() {
        return header.bytesPerId();
    }

    @Override
    public long length() {
        return header.count();
    }

    @Override
    public int get(long index) {
        return header.bytesPerId() == 2
                ? Short.toUnsignedInt(ids.getAtIndex(U16, index))
                : ids.getAtIndex(U32, index);
    }

    @Override
    public void copy(long from, int[] dst, int offset, int count) {
        if (header.bytesPerId() == 4) {
            MemorySegment.copy(ids, U32, from * 4, dst, offset, count);
        } else {
            for (int i = 0; i < count; i++) dst[offset + i] = Short.toUnsignedInt(ids.getAtIndex(U16, from + i));
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
