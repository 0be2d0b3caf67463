package dev.jllm.train;

import dev.jllm.mpi.DataParallel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The run folder of each rank of a data-parallel run: the leader (rank 0) opens the real one and alone writes it;
 * every other rank keeps its own metrics rows (which its trainer reads back) in a scratch folder, deleted when the
 * process exits, and reads the real folder only when resuming (its settings, tokenizer and latest checkpoint, so
 * the folder must be at the same path on every machine). A process training alone is its own leader.
 */
public final class RankFolder {
    private RankFolder() {}

    /** {@link RunFolder#create} on the leader, a scratch folder on the other ranks. */
    public static RunFolder create(Path out, DataParallel parallel) throws IOException {
        return create(out, MetricsLog.Columns.tokens(List.of()), parallel);
    }

    /** {@link RunFolder#create(Path, MetricsLog.Columns)} on the leader, a scratch folder with the same columns elsewhere. */
    public static RunFolder create(Path out, MetricsLog.Columns columns, DataParallel parallel) throws IOException {
        return parallel.leader() ? RunFolder.create(out, columns) : scratch(columns);
    }

    /** {@link RunFolder#open} on the leader, a scratch folder on the other ranks. */
    public static RunFolder open(Path dir, DataParallel parallel) throws IOException {
        return open(dir, MetricsLog.Columns.tokens(List.of()), parallel);
    }

    /** {@link RunFolder#open(Path, MetricsLog.Columns)} on the leader, a scratch folder with the same columns elsewhere. */
    public static RunFolder open(Path dir, MetricsLog.Columns columns, DataParallel parallel) throws IOException {
        if (parallel.leader()) return RunFolder.open(dir, columns);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": no such run folder here (every rank resumes from the same path)");
        }
        return scratch(columns);
    }

    /** The latest checkpoint of the run in {@code dir}, as every rank reads it to resume. */
    public static Path latestCheckpoint(Path dir) {
        return RunFolder.latestCheckpoint(dir).orElseThrow(
                () -> new IllegalArgumentException(dir + " has no checkpoint to resume from"));
    }

    private static RunFolder scratch(MetricsLog.Columns columns) throws IOException {
        Path dir = Files.createTempDirectory("jllm-rank-");
        dir.toFile().deleteOnExit();
        dir.resolve(RunFolder.METRICS).toFile().deleteOnExit(); // deleted before its folder (reverse order)
        return RunFolder.create(dir, columns);
    }
}
