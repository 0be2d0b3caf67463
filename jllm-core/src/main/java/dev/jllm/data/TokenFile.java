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
import java.util.Locale;

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
            TokenFile file = new TokenFile(path, header, arena, ids);
            long bad = file.firstIdAtLeast(header.vocabSize());
            if (bad >= 0) {
                long id = Integer.toUnsignedLong(file.get(bad));
                file.close();
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: corrupt token file: id %d at position"
                        + " %,d is not below the header's vocabulary size %,d", path, id, bad, header.vocabSize()));
            }
            return file;
        }
    }

    /** The position of the first id that is {@code limit} or more, or -1 when every id is below it. */
    public long firstIdAtLeast(int limit) {
        long n = header.count();
        if (header.bytesPerId() == 2) {
            if (limit > 0xFFFF) return -1;
            for (long i = 0; i < n; i++) if (Short.toUnsignedInt(ids.getAtIndex(U16, i)) >= limit) return i;
        } else {
            for (long i = 0; i < n; i++) {
                int id = ids.getAtIndex(U32, i);
                if (id < 0 || id >= limit) return i;
            }
        }
        return -1;
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
