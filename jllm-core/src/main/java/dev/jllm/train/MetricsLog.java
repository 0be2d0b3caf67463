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
 * so that a killed run keeps its curve. Also keeps the rows in memory for the plots. The columns are the standard
 * ones a job chose ({@link Columns}), then {@code train_NAME,val_NAME} for each further metric of the training data
 * ({@link TrainingData#metrics()}).
 */
public final class MetricsLog implements AutoCloseable {

    /** The standard columns of a language-model run ({@link Columns#tokens}). */
    public static final String HEADER = "step,tokens_seen,lr,train_loss,val_loss,tokens_per_second";

    /** A value the training loop knows at every evaluation, and how metrics.csv writes it. */
    public enum Column {
        STEP("step"),
        /** The epoch the step belongs to, from 1 (0 before the first step). */
        EPOCH("epoch"),
        /** Training examples (rows) of the steps so far, over all ranks. */
        EXAMPLES_SEEN("examples_seen"),
        /** Training tokens (padding included) of the steps so far, over all ranks. */
        TOKENS_SEEN("tokens_seen"),
        LR("lr"),
        TRAIN_LOSS("train_loss"),
        VAL_LOSS("val_loss"),
        TOKENS_PER_SECOND("tokens_per_second");

        public final String header;

        Column(String header) {
            this.header = header;
        }

        String format(Row r) {
            return switch (this) {
                case STEP -> Long.toString(r.step());
                case EPOCH -> Integer.toString(r.epoch());
                case EXAMPLES_SEEN -> Long.toString(r.examplesSeen());
                case TOKENS_SEEN -> Long.toString(r.tokensSeen());
                case LR -> String.format(Locale.ROOT, "%.6g", r.lr());
                case TRAIN_LOSS -> String.format(Locale.ROOT, "%.6f", r.trainLoss());
                case VAL_LOSS -> String.format(Locale.ROOT, "%.6f", r.valLoss());
                case TOKENS_PER_SECOND -> String.format(Locale.ROOT, "%.1f", r.tokensPerSecond());
            };
        }
    }

    /**
     * The columns of a run's metrics.csv: {@code standard} ones in order, then {@code train_NAME,val_NAME} for each of
     * {@code metrics}.
     */
    public record Columns(List<Column> standard, List<String> metrics) {

        public Columns {
            standard = List.copyOf(standard);
            metrics = List.copyOf(metrics);
        }

        /** A language model's run: {@value #HEADER}, then the further metrics. */
        public static Columns tokens(List<String> metrics) {
            return new Columns(List.of(Column.STEP, Column.TOKENS_SEEN, Column.LR, Column.TRAIN_LOSS, Column.VAL_LOSS,
                    Column.TOKENS_PER_SECOND), metrics);
        }

        public String header() {
            StringBuilder header = new StringBuilder();
            for (Column c : standard) header.append(header.isEmpty() ? "" : ",").append(c.header);
            for (String m : metrics) header.append(",train_").append(m).append(",val_").append(m);
            return header.toString();
        }

        String csv(Row r) {
            StringBuilder line = new StringBuilder();
            for (Column c : standard) line.append(line.isEmpty() ? "" : ",").append(c.format(r));
            for (double m : r.metrics()) line.append(String.format(Locale.ROOT, ",%.6f", m));
            return line.toString();
        }

        Row parse(String line, Path file) {
            String[] f = line.split(",");
            if (f.length != standard.size() + 2 * metrics.size()) {
                throw new IllegalArgumentException(file + ": bad metrics row '" + line + "'");
            }
            long step = 0, examples = 0, tokens = 0;
            int epoch = 0;
            double lr = Double.NaN, train = Double.NaN, val = Double.NaN, speed = Double.NaN;
            for (int i = 0; i < standard.size(); i++) {
                switch (standard.get(i)) {
                    case STEP -> step = Long.parseLong(f[i]);
                    case EPOCH -> epoch = Integer.parseInt(f[i]);
                    case EXAMPLES_SEEN -> examples = Long.parseLong(f[i]);
                    case TOKENS_SEEN -> tokens = Long.parseLong(f[i]);
                    case LR -> lr = Double.parseDouble(f[i]);
                    case TRAIN_LOSS -> train = Double.parseDouble(f[i]);
                    case VAL_LOSS -> val = Double.parseDouble(f[i]);
                    case TOKENS_PER_SECOND -> speed = Double.parseDouble(f[i]);
                }
            }
            double[] further = new double[2 * metrics.size()];
            for (int i = 0; i < further.length; i++) further[i] = Double.parseDouble(f[standard.size() + i]);
            return new Row(step, epoch, examples, tokens, lr, train, val, speed, further);
        }
    }

    /**
     * One evaluation: losses averaged over the evaluation batches (NaN where there was no validation data).
     *
     * @param metrics the further metrics, train and validation side by side: {@code train_a, val_a, train_b, ...}
     */
    public record Row(long step, int epoch, long examplesSeen, long tokensSeen, double lr, double trainLoss,
                      double valLoss, double tokensPerSecond, double... metrics) {}

    private final Columns columns;
    private final List<Row> rows = new ArrayList<>();
    private final MetricsFile out;

    /**
     * Opens {@code file} for a new run, or for a resumed one: then the rows up to {@code keepUpToStep} are kept
     * (rows after the checkpoint are dropped, since the resumed run writes them again).
     */
    public MetricsLog(Path file, long keepUpToStep, Columns columns) throws IOException {
        this.columns = columns;
        if (Files.exists(file) && keepUpToStep >= 0) {
            List<String> lines = TextFiles.readLines(file);
            for (int i = 1; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) continue;
                Row r;
                try {
                    r = columns.parse(line, file);
                } catch (IllegalArgumentException torn) {
                    if (i == lines.size() - 1) break; // the last row, cut short by a kill: written again
                    throw torn;
                }
                if (r.step() <= keepUpToStep) rows.add(r);
            }
        }
        out = new MetricsFile(file, columns.header(), rows.stream().map(columns::csv).toList());
    }

    public Columns columns() {
        return columns;
    }

    public void add(Row row) {
        rows.add(row);
        out.append(columns.csv(row));
    }

    public List<Row> rows() {
        return Collections.unmodifiableList(rows);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
