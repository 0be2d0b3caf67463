package dev.jllm.cli;

import picocli.CommandLine.Command;

/** {@code jllm bench generate}: generation and prefill tokens/s only. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generation tokens/s (batch 1, 10-token prompt; KV cache on/off, bf16) and 512-token prefill.")
final class BenchGenerateCommand extends BenchPartCommand {
    BenchGenerateCommand() {
        super(false, true);
    }
}
