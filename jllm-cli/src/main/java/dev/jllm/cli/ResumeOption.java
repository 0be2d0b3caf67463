package dev.jllm.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The finetuning commands' {@code --resume DIR} (a mixin), and the line that tells how to continue a stopped run. */
final class ResumeOption {

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR from its latest checkpoint.")
    Path dir;

    /** After Ctrl-C: the step the run {@code runDir} stopped at, and the {@code jllm command} that continues it. */
    static void stopped(PrintWriter log, String command, long step, Path runDir) {
        log.printf("%nstopped at step %d; checkpoint written. Continue with: jllm %s --resume %s%n", step, command, runDir);
    }
}
