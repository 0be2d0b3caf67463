package dev.jllm.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the jllm command line in-process with its standard output and error captured (tests of the commands). */
final class CliHarness {
    private CliHarness() {}

    /** Executes {@code jllm args...}, appending what it prints to {@code out} and {@code err}; returns the exit code. */
    static int execute(StringWriter out, StringWriter err, String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }
}
