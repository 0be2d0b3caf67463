package dev.jllm.cli;

import dev.jllm.bench.StepProfile;
import dev.jllm.model.DecoderConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code jllm bench}: the end-to-end speed of training and generation (every part, or one with a subcommand),
 * or with {@code --profile} where one training step spends its time.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {"Measure the speed of jllm on this machine: training steps, generation and prefill tokens/s with",
            "peak memory (each configuration in its own JVM), or a per-op profile of one training step."},
        subcommands = {
            BenchMatmulCommand.class,
            BenchTrainCommand.class,
            BenchGenerateCommand.class,
            BenchOneCommand.class,
            BenchGgufCommand.class,
        })
public final class BenchCommand implements Runnable {

    @Mixin
    BenchOptions options;

    @Option(names = "--profile", description = "Print where one 124M training step spends its time, op by op.")
    boolean profile;

    @Option(names = "--batch", defaultValue = "2", description = "Batch of the profiled step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--context", defaultValue = "256", description = "Context of the profiled step (default: ${DEFAULT-VALUE}).")
    int context;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        check(spec, options);
        if (profile) {
            StepProfile.run(options.threads, batch, context, spec.commandLine().getOut());
        } else {
            BenchRunner.run(BenchRunner.plan(true, true, options), options, spec.commandLine().getOut(),
                    spec.commandLine().getErr());
        }
    }

    /** Rejects option values no measurement can use. */
    static void check(CommandLine.Model.CommandSpec spec, BenchOptions o) {
        if (o.threads < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be >= 1");
        if (o.reps < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--reps must be >= 1");
        if (o.prefillTokens < 1 || o.prefillTokens > 1024) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--prefill-tokens must be in 1..1024");
        }
        if (o.newTokens < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--new-tokens must be >= 1");
        for (String m : o.models) {
            if (!m.equalsIgnoreCase("124M") && !m.equalsIgnoreCase("355M") && !DecoderConfig.isPreset(m)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--models: unknown size '" + m
                        + "' (124M, 355M, " + String.join(", ", DecoderConfig.PRESETS) + ")");
            }
        }
    }
}
