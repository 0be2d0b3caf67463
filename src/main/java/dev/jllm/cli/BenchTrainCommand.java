package dev.jllm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code jllm bench train}: training tokens/s and peak memory only. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Training tokens/s of full steps (124M; batch 2 x 256, 8 x 256, 1 x 1024) with peak memory.")
final class BenchTrainCommand implements Runnable {

    @Mixin
    BenchOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        BenchCommand.check(spec, options);
        EndToEndBench.run(EndToEndBench.plan(true, false, options), options, spec.commandLine().getOut(),
                spec.commandLine().getErr());
    }
}
