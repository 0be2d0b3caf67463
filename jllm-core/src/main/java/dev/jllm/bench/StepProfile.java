package dev.jllm.bench;

import dev.jllm.kernels.FmaPeak;
import dev.jllm.kernels.GemmTuning;
import dev.jllm.kernels.Parallel;
import dev.jllm.tensor.Profiler;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/**
 * {@code jllm bench --profile}: the time of each op in one 124M training step, from the {@link Profiler}, and for
 * the ops made of matrix products their GFLOP/s beside the machine's peak ({@link FmaPeak}, measured here).
 */
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
        Map<String, Long> flops = Profiler.flops();
        FmaPeak.Peak peak = FmaPeak.measure(threads);
        out.printf(Locale.ROOT, "one training step, 124M, batch %d x context %d, %d threads: %.3f s (%.1f tokens/s)%n",
                batch, context, threads, total, batch * context / total);
        out.println("matrix product: " + GemmTuning.describe());
        out.println("peak: " + peak);
        out.printf("%-22s %9s %7s %9s %8s%n", "op", "seconds", "share", "GFLOP/s", "of peak");
        double accounted = 0;
        for (var e : seconds.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).toList()) {
            Long f = flops.get(e.getKey());
            String rate = "";
            if (f != null && e.getValue() > 0) {
                double gflops = f / e.getValue() / 1e9;
                rate = String.format(Locale.ROOT, " %9.1f %7.0f%%", gflops, 100 * gflops / peak.gflops());
            }
            out.printf(Locale.ROOT, "%-22s %9.3f %6.1f%%%s%n", e.getKey(), e.getValue(), 100 * e.getValue() / total, rate);
            accounted += e.getValue();
        }
        double other = total - accounted;
        out.printf(Locale.ROOT, "%-22s %9.3f %6.1f%%%n", "other", other, 100 * other / total);
        long all = flops.values().stream().mapToLong(Long::longValue).sum();
        out.printf(Locale.ROOT, "all products: %.1f GFLOP in the step, %.1f GFLOP/s over the whole step (%.0f%% of peak)%n",
                all / 1e9, all / total / 1e9, 100 * all / total / 1e9 / peak.gflops());
        out.flush();
    }
}
