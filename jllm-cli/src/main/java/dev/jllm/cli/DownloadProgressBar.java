package dev.jllm.cli;

import dev.jllm.download.DownloadProgress;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/** {@code jllm download}'s display: a progress bar per file on standard error (MiB, speed, time left). */
final class DownloadProgressBar implements DownloadProgress {

    @Override
    public Transfer start(String name, long have, long total) {
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(name)
                .setInitialMax(total)
                .startsFrom(have, Duration.ZERO)
                .setUnit("MiB", 1 << 20)
                .showSpeed()
                .setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .build();
        return new Transfer() {
            @Override
            public void reached(long done) {
                bar.stepTo(done);
            }

            @Override
            public void close() {
                bar.close();
            }
        };
    }
}
