package dev.jllm.cli;

import picocli.CommandLine.Option;

/** The finetuning commands' {@code --lora-alpha A} (a mixin): LoRA's scale alpha/rank, the rank itself by default. */
final class LoRAAlphaOption {

    @Option(names = "--lora-alpha", paramLabel = "A", description = "LoRA alpha (default: the rank).")
    Float alpha;

    boolean given() {
        return alpha != null;
    }

    /** The alpha for adapters of {@code rank}: as given, else the rank. */
    float forRank(int rank) {
        return alpha != null ? alpha : rank;
    }
}
