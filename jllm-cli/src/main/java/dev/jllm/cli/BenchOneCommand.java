package dev.jllm.cli;

import dev.jllm.bench.EndToEndBench;
import dev.jllm.model.WeightType;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jllm bench one KIND MODEL A B DTYPE}: one configuration, one JSON row; what the child JVMs run
 * ({@link #args} writes a configuration's arguments, {@link #config} reads them back).
 */
@Command(name = "one", hidden = true, description = "Measure one configuration and print its JSON row.")
final class BenchOneCommand implements Runnable {

    @Parameters(index = "0", description = "train, generate or prefill") EndToEndBench.Kind kind;
    @Parameters(index = "1", description = "124M or 355M") String model;
    @Parameters(index = "2", description = "batch | 1 with KV cache, 0 without | prompt tokens") int a;
    @Parameters(index = "3", description = "context | new tokens | 0") int b;
    @Parameters(index = "4", description = "fp32 or bf16") WeightType dtype;

    @Option(names = "--reps", defaultValue = "3") int reps;
    @Option(names = "--threads", defaultValue = "1") int threads;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().getOut().println(EndToEndBench.measure(config(kind, model, a, b, dtype), reps, threads));
        spec.commandLine().getOut().flush();
    }

    static EndToEndBench.Config config(EndToEndBench.Kind kind, String model, int a, int b, WeightType dtype) {
        return switch (kind) {
            case TRAIN -> new EndToEndBench.Config.Train(model, a, b);
            case GENERATE -> new EndToEndBench.Config.Generate(model, a == 1, b, dtype);
            case PREFILL -> new EndToEndBench.Config.Prefill(model, a);
        };
    }

    /** The arguments of {@code jllm bench one} that measure {@code c}. */
    static List<String> args(EndToEndBench.Config c) {
        String fp32 = WeightType.FP32.name().toLowerCase(Locale.ROOT);
        return switch (c) {
            case EndToEndBench.Config.Train t -> List.of(c.kind().label(), c.model(), "" + t.batch(), "" + t.context(), fp32);
            case EndToEndBench.Config.Generate g -> List.of(c.kind().label(), c.model(), g.kvCache() ? "1" : "0",
                    "" + g.newTokens(), g.dtype().name().toLowerCase(Locale.ROOT));
            case EndToEndBench.Config.Prefill p -> List.of(c.kind().label(), c.model(), "" + p.promptTokens(), "0", fp32);
        };
    }
}
