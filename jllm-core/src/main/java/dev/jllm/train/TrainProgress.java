package dev.jllm.train;

import java.util.List;

/**
 * What a run shows while it trains: nothing ({@link #silent()}) or, in a front end, a progress display (the CLI's is
 * a terminal progress bar and log lines). The {@link Trainer} calls it from its own thread: {@link #start} once, then
 * {@link #step} after every optimizer step, {@link #evaluated} and {@link #sample} as they happen (a fresh run's
 * step-0 evaluation comes before {@link #start}), and {@link #close} when the run ends, also when it fails.
 */
public interface TrainProgress extends AutoCloseable {

    /** Called once before the first step; a display may keep {@code trainer} (to read it, or to stop it). */
    default void start(Trainer<?, ?> trainer) {}

    default void step(long step, int epoch, double loss, double tokensPerSecond) {}

    /** An evaluation, as metrics.csv records it; {@code metrics} names its further metrics. */
    default void evaluated(MetricsLog.Row row, List<String> metrics) {}

    default void sample(int epoch, String text) {}

    @Override
    default void close() {}

    static TrainProgress silent() {
        return new TrainProgress() {};
    }
}
