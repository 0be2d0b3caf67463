package dev.jllm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code jllm bench}: the parent of the speed measurements, one subcommand each. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measure the speed of jllm on this machine.",
        subcommands = {
            BenchMatmulCommand.class,
        })
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
