package dev.jllm.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The finetuning commands' {@code --lora-alpha A} (a mixin): LoRA's scale alpha/rank, the rank itself by default. */
final class LoRAAlphaOption {

    @Option(names = "--lora-alpha", paramLabel = "A", description = "LoRA alpha (default: the rank).")
    Float alpha;

    boolean given() {
        return alpha != null;
    }

    /** Refuses {@code --lora-alpha} without {@code --lora-rank} ({@code rank} null). */
    void requireRank(CommandSpec spec, Integer rank) {
        if (rank == null && given()) throw new ParameterException(spec.commandLine(), "--lora-alpha needs --lora-rank");
    }

    /** The alpha for adapters of {@code rank}: as given, else the rank. */
    float forRank(int rank) {
        return alpha != null ? alpha : rank;
    }
}
