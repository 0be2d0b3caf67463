package dev.jllm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/** A {@code jllm bench} subcommand that runs one part of the end-to-end measurements with the shared options. */
abstract class BenchPartCommand implements Runnable {
    private final boolean train, generate;

    @Mixin
    BenchOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    BenchPartCommand(boolean train, boolean generate) {
        this.train = train;
        this.generate = generate;
    }

    @Override
    public void run() {
        BenchCommand.check(spec, options);
        BenchRunner.run(BenchRunner.plan(train, generate, options), options, spec.commandLine().getOut(),
                spec.commandLine().getErr());
    }
}
