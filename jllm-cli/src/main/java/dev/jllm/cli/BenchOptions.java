package dev.jllm.cli;

import java.util.List;
import picocli.CommandLine.Option;

/** The options shared by {@code jllm bench}, {@code bench train} and {@code bench generate}. */
final class BenchOptions {

    @Option(names = "--json", description = "Print one JSON object {threads, train, generate, prefill}.")
    boolean json;

    @Option(names = "--reps", defaultValue = "3",
            description = "Timed repetitions after the warm-up; the median counts (default: ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--new-tokens", defaultValue = "200",
            description = "Tokens generated per generation run (default: ${DEFAULT-VALUE}).")
    int newTokens;

    @Option(names = "--prefill-tokens", defaultValue = "512",
            description = "Prompt length of the prefill measurement (default: ${DEFAULT-VALUE}).")
    int prefillTokens;

    @Option(names = "--models", split = ",", defaultValue = "124M,355M",
            description = "Models for generation: GPT-2 sizes (124M, 355M, ...) or random models of a published"
                    + " size (llama3.2-1b, qwen3-0.6b, gemma3-270m) (default: ${DEFAULT-VALUE}); training always uses 124M.")
    List<String> models;

    @Option(names = "--threads", description = "Worker threads (default: all cores).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--in-process",
            description = "Measure every configuration in this JVM (peak RSS is then the process's peak so far).")
    boolean inProcess;
}
