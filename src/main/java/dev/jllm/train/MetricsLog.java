package dev.jllm.train;

import dev.jllm.io.AtomicFiles;
import dev.jllm.io.TextFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The run's {@code metrics.csv}: one row per evaluation, flushed as it is written so that a killed run keeps
 * its curve. Also keeps the rows in memory for the loss plot. The columns are {@link #HEADER}, then
 * {@code train_NAME,val_NAME} for each further metric of the training data ({@link TrainingData#metrics()}).
 */
public final class MetricsLog implements AutoCloseable {

    public static final String HEADER = "step,tokens_seen,lr,train_loss,val_loss,tokens_per_second";

    /**
     * One evaluation: losses averaged over the evaluation batches (NaN where there was no validation data).
     *
     * @param metrics the further metrics, train and validation side by side: {@code train_a, val_a, train_b, ...}
     */
    public record Row(long step, long tokensSeen, double lr, double trainLoss, double valLoss, double tokensPerSecond,
                      double... metrics) {

        public Row(long step, long tokensSeen, double lr, double trainLoss, double valLoss, double tokensPerSecond) {
            this(step, tokensSeen, lr, trainLoss, valLoss, tokensPerSecond, new double[0]);
        }

        String csv() {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%d,%d,%.6g,%.6f,%.6f,%.1f",
                    step, tokensSeen, lr, trainLoss, valLoss, tokensPerSecond));
            for (double m : metrics) line.append(String.format(Locale.ROOT, ",%.6f", m));
            return line.toString();
        }

        static Row parse(String line, Path file, int columns) {
            String[] f = line.split(",");
            if (f.length != columns) throw new IllegalArgumentException(file + ": bad metrics row '" + line + "'");
            double[] metrics = new double[columns - 6];
            for (int i = 0; i < metrics.length; i++) metrics[i] = Double.parseDouble(f[6 + i]);
            return new Row(Long.parseLong(f[0]), Long.parseLong(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]), metrics);
        }
    }

    private final Path file;
    private final String header;
    private final List<Row> rows = new ArrayList<>();
    private final BufferedWriter out;

    /**
     * Opens {@code file} for a new run, or for a resumed one: then the rows up to {@code keepUpToStep} are kept
     * (rows after the checkpoint are dropped, since the resumed run writes them again). {@code metrics} names the
     * further metrics.
     */
    public MetricsLog(Path file, long keepUpToStep, List<String> metrics) throws IOException {
        this.file = file;
        StringBuilder h = new StringBuilder(HEADER);
        for (String m : metrics) h.append(",train_").append(m).append(",val_").append(m);
        this.header = h.toString();
        int columns = 6 + 2 * metrics.size();
        if (Files.exists(file) && keepUpToStep >= 0) {
            List<String> lines = TextFiles.readLines(file);
            for (int i = 1; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) continue;
                Row r;
                try {
                    r = Row.parse(line, file, columns);
                } catch (IllegalArgumentException torn) {
                    if (i == lines.size() - 1) break; // the last row, cut short by a kill: written again
                    throw torn;
                }
                if (r.step() <= keepUpToStep) rows.add(r);
            }
        }
        // The kept rows replace the file in one step; new rows are then appended, each flushed whole.
        StringBuilder kept = new StringBuilder(header).append('\n');
        for (Row r : rows) kept.append(r.csv()).append('\n');
        AtomicFiles.writeString(file, kept.toString());
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    public void add(Row row) {
        rows.add(row);
        try {
            out.write(row.csv() + "\n"); // one write: a kill leaves at most one torn last row
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public List<Row> rows() {
        return Collections.unmodifiableList(rows);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
