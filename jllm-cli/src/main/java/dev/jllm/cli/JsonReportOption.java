package dev.jllm.cli;

import dev.jllm.train.TrainProgress;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code --json} of the finetuning commands that report one JSON object when they end (a mixin): with it, standard
 * output holds that object alone, the log lines go to standard error, and no progress bar is drawn.
 */
final class JsonReportOption {

    @Option(names = "--json", description = "Print one JSON object at the end.")
    boolean on;

    /** Where the command's log lines go: standard error with {@code --json}, else standard output. */
    PrintWriter log(CommandSpec spec) {
        return on ? spec.commandLine().getErr() : spec.commandLine().getOut();
    }

    /** The progress bar on {@code log}, or none with {@code --json}. */
    TrainProgress progress(PrintWriter log) {
        return on ? TrainProgress.silent() : TrainProgressBar.on(log);
    }
}
