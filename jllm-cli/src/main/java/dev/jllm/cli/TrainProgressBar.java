package dev.jllm.cli;

import dev.jllm.mpi.DataParallel;
import dev.jllm.train.TrainProgress;
import dev.jllm.train.MetricsLog;
import dev.jllm.train.Trainer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The training commands' display: a progress bar on standard error (epoch, step, loss, tokens/s, elapsed and time
 * left) and the evaluations and samples as lines on the log.
 */
final class TrainProgressBar implements TrainProgress {
    private static final int WIDTH = 110;
    private final PrintWriter log;
    private ProgressBar bar;
    private int stepsPerEpoch;
    private long totalSteps;

    private TrainProgressBar(PrintWriter log) {
        this.log = log;
    }

    /** The bar and the lines on {@code log}; under mpirun on rank 0 only (its tokens/s count every rank's tokens). */
    static TrainProgress on(PrintWriter log) {
        return DataParallel.current().leader() ? new TrainProgressBar(log) : TrainProgress.silent();
    }

    @Override
    public void start(Trainer<?, ?> trainer) {
        this.stepsPerEpoch = trainer.stepsPerEpoch();
        this.totalSteps = trainer.totalSteps();
        bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(totalSteps)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUpdateIntervalMillis(500)
                // one line redrawn in place with \r: log lines can then be printed between redraws
                .setConsumer(new ConsoleProgressBarConsumer(System.err, WIDTH))
                .startsFrom(trainer.state().step(), Duration.ZERO).build();
    }

    @Override
    public void step(long step, int epoch, double loss, double tokensPerSecond) {
        long epochs = (totalSteps + stepsPerEpoch - 1) / stepsPerEpoch;
        bar.setExtraMessage(String.format(Locale.ROOT, "epoch %d/%d loss %.3f %.0f tok/s",
                epoch + 1, epochs, loss, tokensPerSecond));
        bar.stepTo(step);
    }

    @Override
    public void evaluated(MetricsLog.Row row, List<String> metrics) {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "step %6d  train loss %.3f  val loss %.3f",
                row.step(), row.trainLoss(), row.valLoss()));
        for (int i = 0; i < metrics.size(); i++) {
            String name = metrics.get(i).replace('_', ' ');
            text.append(String.format(Locale.ROOT, "  train %s %.3f  val %s %.3f", name, row.metrics()[2 * i], name,
                    row.metrics()[2 * i + 1]));
        }
        line(text.toString());
    }

    @Override
    public void sample(int epoch, String text) {
        line("sample after epoch " + epoch + ": " + text.replace('\n', ' '));
    }

    /** A log line: the bar's line is blanked first, and the bar comes back below the text at its next redraw. */
    private void line(String text) {
        if (bar != null) {
            System.err.print("\r" + " ".repeat(WIDTH) + "\r");
            System.err.flush();
        }
        log.println(text);
        log.flush();
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
