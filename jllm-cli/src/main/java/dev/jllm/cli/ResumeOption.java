package dev.jllm.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The finetuning commands' {@code --resume DIR} (a mixin), and the line that tells how to continue a stopped run. */
final class ResumeOption {

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR from its latest checkpoint.")
    Path dir;

    /**
     * Whether {@code --resume} was given. With it the run's own settings hold, so a command line that also gives any
     * of them ({@code othersGiven}; {@code others} names them in the message) is refused.
     */
    boolean given(CommandSpec spec, boolean othersGiven, String others) {
        if (dir != null && othersGiven) {
            throw new ParameterException(spec.commandLine(), "--resume takes the run's own " + others);
        }
        return dir != null;
    }

    /** After Ctrl-C: the step the run {@code runDir} stopped at, and the {@code jllm command} that continues it. */
    static void stopped(PrintWriter log, String command, long step, Path runDir) {
        log.printf("%nstopped at step %d; checkpoint written. Continue with: jllm %s --resume %s%n", step, command, runDir);
    }
}
