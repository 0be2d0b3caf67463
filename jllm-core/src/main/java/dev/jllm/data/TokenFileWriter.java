package dev.jllm.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Streams token ids into a token file ({@link TokenFileHeader}). The ids go to {@code <out>.tmp}; {@link #finish()}
 * writes the final count into the header and renames the file into place, so a crash never leaves a file at
 * {@code out} that looks complete. Closing without {@code finish()} deletes the temporary file.
 */
public final class TokenFileWriter implements AutoCloseable {
    private final Path out;
    private final Path tmp;
    private final FileChannel channel;
    private final int vocabSize;
    private final int bytesPerId;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private long count;
    private boolean finished;

    public TokenFileWriter(Path out, int vocabSize) throws IOException {
        this.bytesPerId = TokenFileHeader.bytesPerIdFor(vocabSize);
        new TokenFileHeader(bytesPerId, 0, vocabSize); // validates the vocabulary size
        this.out = out;
        this.tmp = out.resolveSibling(out.getFileName() + ".tmp");
        this.vocabSize = vocabSize;
        this.channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        channel.position(TokenFileHeader.SIZE);
    }

    /** Appends ids; each must be in [0, vocabSize). */
    public void write(int[] ids) throws IOException {
        for (int id : ids) {
            if (id < 0 || id >= vocabSize) {
                throw new IllegalArgumentException("token id " + id + " at position " + count
                        + " is outside the vocabulary of " + vocabSize);
            }
            if (buffer.remaining() < bytesPerId) flush();
            if (bytesPerId == 2) buffer.putShort((short) id);
            else buffer.putInt(id);
            count++;
        }
    }

    /** Ids written so far. */
    public long count() {
        return count;
    }

    /** Completes the header and moves the file to its final name. */
    public void finish() throws IOException {
        flush();
        channel.write(new TokenFileHeader(bytesPerId, count, vocabSize).encode(), 0);
        channel.force(false);
        channel.close();
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        finished = true;
    }

    private void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) channel.write(buffer);
        buffer.clear();
    }

    @Override
    public void close() {
        if (finished) return;
        try {
            channel.close();
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + tmp, e);
        }
    }
}
