package dev.jllm.cli;

import dev.jllm.bench.EndToEndBench;
import dev.jllm.model.WeightType;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jllm bench one KIND MODEL A B DTYPE}: one configuration, one JSON row; what the child JVMs run. */
@Command(name = "one", hidden = true, description = "Measure one configuration and print its JSON row.")
final class BenchOneCommand implements Runnable {

    @Parameters(index = "0", description = "train, generate or prefill") String kind;
    @Parameters(index = "1", description = "124M or 355M") String model;
    @Parameters(index = "2", description = "batch | 1 with KV cache, 0 without | prompt tokens") int a;
    @Parameters(index = "3", description = "context | new tokens | 0") int b;
    @Parameters(index = "4", description = "fp32 or bf16") String dtype;

    @Option(names = "--reps", defaultValue = "3") int reps;
    @Option(names = "--threads", defaultValue = "1") int threads;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        var config = new EndToEndBench.Config(kind, model, a, b, WeightType.valueOf(dtype.toUpperCase(Locale.ROOT)));
        spec.commandLine().getOut().println(EndToEndBench.measure(config, reps, threads));
        spec.commandLine().getOut().flush();
    }
}
