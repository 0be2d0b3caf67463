package dev.jllm.cli;

import dev.jllm.train.TrainProgress;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** {@code --no-progress} of the training commands (a mixin): the progress bar, or none. */
final class ProgressOption {

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean off;

    /** The progress bar with its log lines on {@code log}, or none with {@code --no-progress}. */
    TrainProgress on(PrintWriter log) {
        return off ? TrainProgress.silent() : TrainProgressBar.on(log);
    }
}
