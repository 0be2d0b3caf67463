package dev.jllm.cli;

import picocli.CommandLine.Command;

/** {@code jllm bench train}: training tokens/s and peak memory only. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Training tokens/s of full steps (124M; batch 2 x 256, 8 x 256, 1 x 1024) with peak memory.")
final class BenchTrainCommand extends BenchPartCommand {
    BenchTrainCommand() {
        super(true, false);
    }
}
