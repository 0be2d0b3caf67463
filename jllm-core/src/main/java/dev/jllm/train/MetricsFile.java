package dev.jllm.train;

import dev.jllm.io.AtomicFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A run's {@code metrics.csv} on disk: a header, then one row per evaluation, each appended and flushed whole as it
 * is written, so that a killed run keeps its curve and leaves at most one torn last row. What the columns are is its
 * user's: the shared training loop's {@link MetricsLog}, classification's accuracy columns.
 */
public final class MetricsFile implements AutoCloseable {
    private final Path file;
    private final BufferedWriter out;

    /** Starts {@code file} over with {@code header} and the {@code kept} rows of a resumed run, in one step. */
    public MetricsFile(Path file, String header, List<String> kept) throws IOException {
        this.file = file;
        StringBuilder text = new StringBuilder(header).append('\n');
        for (String row : kept) text.append(row).append('\n');
        AtomicFiles.writeString(file, text.toString());
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** Appends one row (the values, comma-separated) and flushes it. */
    public void append(String row) {
        try {
            out.write(row + "\n"); // one write: a kill leaves at most one torn last row
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
