package dev.jllm.bench;

import dev.jllm.kernels.Parallel;
import dev.jllm.tensor.Profiler;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/** {@code jllm bench --profile}: the time of each op in one 124M training step, from the {@link Profiler}. */
public final class StepProfile {
    private StepProfile() {}

    public static void run(int threads, int batch, int context, PrintWriter out) {
        Parallel.setThreads(threads);
        Runnable step = EndToEndBench.trainStep("124M", batch, context);
        step.run(); // warm-up: JIT compilation, first allocation of the optimizer state
        step.run();
        Profiler.reset();
        Profiler.enable(true);
        long start = System.nanoTime();
        try {
            step.run();
        } finally {
            Profiler.enable(false);
        }
        double total = (System.nanoTime() - start) / 1e9;
        Map<String, Double> seconds = Profiler.seconds();
        out.printf(Locale.ROOT, "one training step, 124M, batch %d x context %d, %d threads: %.3f s (%.1f tokens/s)%n",
                batch, context, threads, total, batch * context / total);
        out.printf("%-22s %9s %7s%n", "op", "seconds", "share");
        double accounted = 0;
        for (var e : seconds.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).toList()) {
            out.printf(Locale.ROOT, "%-22s %9.3f %6.1f%%%n", e.getKey(), e.getValue(), 100 * e.getValue() / total);
            accounted += e.getValue();
        }
        double other = total - accounted;
        out.printf(Locale.ROOT, "%-22s %9.3f %6.1f%%%n", "other", other, 100 * other / total);
        out.flush();
    }
}
