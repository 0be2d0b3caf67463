package dev.jllm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code jllm bench generate}: generation and prefill tokens/s only. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generation tokens/s (batch 1, 10-token prompt; KV cache on/off, bf16) and 512-token prefill.")
final class BenchGenerateCommand implements Runnable {

    @Mixin
    BenchOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        BenchCommand.check(spec, options);
        EndToEndBench.run(EndToEndBench.plan(false, true, options), options, spec.commandLine().getOut(),
                spec.commandLine().getErr());
    }
}
