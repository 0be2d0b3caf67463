package dev.jllm.cli;

import picocli.CommandLine.Option;

/** {@code --seed} of the finetuning commands that only shuffle with it ({@code finetune instruct}, {@code dpo}; a mixin). */
final class ShufflingSeedOption {

    @Option(names = "--seed", defaultValue = "123", description = "Shuffling seed (default: ${DEFAULT-VALUE}).")
    long seed;
}
