package dev.jllm.train;

import dev.jllm.io.TextFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The training loop's {@code metrics.csv} ({@link MetricsFile}): one row per evaluation, flushed as it is written
 * so that a killed run keeps its curve. Also keeps the rows in memory for the loss plot. The columns are {@link #HEADER}, then
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

    private final List<Row> rows = new ArrayList<>();
    private final MetricsFile out;

    /**
     * Opens {@code file} for a new run, or for a resumed one: then the rows up to {@code keepUpToStep} are kept
     * (rows after the checkpoint are dropped, since the resumed run writes them again). {@code metrics} names the
     * further metrics.
     */
    public MetricsLog(Path file, long keepUpToStep, List<String> metrics) throws IOException {
        StringBuilder header = new StringBuilder(HEADER);
        for (String m : metrics) header.append(",train_").append(m).append(",val_").append(m);
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
        out = new MetricsFile(file, header.toString(), rows.stream().map(Row::csv).toList());
    }

    public void add(Row row) {
        rows.add(row);
        out.append(row.csv());
    }

    public List<Row> rows() {
        return Collections.unmodifiableList(rows);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
