package dev.jllm.cli;

import picocli.CommandLine.Option;

/** {@code --seed} of the commands that sample text ({@code generate}, {@code chat}; a mixin). */
final class SamplingSeedOption {

    @Option(names = "--seed", defaultValue = "42", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;
}
