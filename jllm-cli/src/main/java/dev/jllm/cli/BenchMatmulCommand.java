package dev.jllm.cli;

import dev.jllm.kernels.Bf16;
import dev.jllm.kernels.FmaPeak;
import dev.jllm.kernels.GemmTuning;
import dev.jllm.kernels.MatMul;
import dev.jllm.kernels.Parallel;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.SplittableRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jllm bench matmul}: GFLOP/s of the matrix products at GPT-2 (124M) shapes. Training shapes run all three
 * layouts, M = batch·context; decoding shapes run matrix-vector over several copies of W, so that the weights come
 * from memory as in real decoding rather than from the cache. The PyTorch peer is tools/bench/matmul_torch.py.
 */
@Command(name = "matmul", mixinStandardHelpOptions = true,
        description = {"GFLOP/s of X·Wᵀ (xwt), dY·W (dyw), dYᵀ·X (dytx) and W·x (gemv) at GPT-2 shapes, and of X·Wᵀ",
            "and W·x with bfloat16 weights (xwt-bf16, gemv-bf16), beside the measured FMA peak and the kernel plan."})
public final class BenchMatmulCommand implements Runnable {

    /** K, N of the 124M model's products: attention qkv, MLP up, MLP down (and attention proj), output head. */
    static final List<int[]> WEIGHT_SHAPES = List.of(
            new int[] {768, 2304}, new int[] {768, 3072}, new int[] {3072, 768}, new int[] {768, 50257});
    static final int[] TRAINING_ROWS = {512, 2048};
    /** Weights streamed per gemv measurement: more than the L3 cache holds. */
    static final long GEMV_STREAM_BYTES = 256L << 20;

    @Option(names = "--threads", description = "Worker threads (default: all cores, ${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--json", description = "One JSON object per line: first plan, peak_gflops, fma_units, lanes, ghz, threads; then layout, m, k, n, gflops.")
    boolean json;

    @Option(names = "--seconds", description = "Minimum time per measurement (default: ${DEFAULT-VALUE}).")
    double seconds = 0.3;

    @Option(names = "--cpu-time", description = "Divide by the CPU time of the measuring thread instead of the "
            + "elapsed time (needs --threads 1): per-core speed that other processes on a shared machine barely move.")
    boolean cpuTime;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        if (threads < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be >= 1");
        if (cpuTime && threads != 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--cpu-time needs --threads 1");
        }
        Parallel.setThreads(threads);
        PrintWriter out = spec.commandLine().getOut();
        String plan = GemmTuning.describe();
        FmaPeak.Peak peak = FmaPeak.measure(threads);
        if (json) {
            out.printf(java.util.Locale.ROOT, "{\"plan\": \"%s\", \"peak_gflops\": %.1f, \"fma_units\": %d, \"lanes\": %d, "
                    + "\"ghz\": %.2f, \"threads\": %d}%n", plan.replace("\\", "\\\\").replace("\"", "\\\""),
                    peak.gflops(), peak.fmaUnits(), peak.lanes(), peak.ghz(), threads);
        } else {
            out.println("matrix product: " + plan);
            GemmTuning.tileGflops().forEach((t, g) -> out.printf(java.util.Locale.ROOT, "  tile %-13s %7.1f GFLOP/s on one thread%n", t, g));
            out.println("peak: " + peak);
            out.printf("%-9s %6s %6s %6s %9s %7s%n", "layout", "m", "k", "n", "GFLOP/s", "of peak");
        }
        this.peakGflops = peak.gflops();
        SplittableRandom random = new SplittableRandom(42);
        for (int m : TRAINING_ROWS) {
            for (int[] kn : WEIGHT_SHAPES) {
                int k = kn[0], n = kn[1];
                float[] x = random(random, m * k), w = random(random, n * k), dy = random(random, m * n);
                float[] y = new float[m * n], dx = new float[m * k], dw = new float[n * k];
                double flops = 2.0 * m * k * n;
                report(out, "xwt", m, k, n, flops / time(() -> MatMul.xwt(x, 0, w, 0, null, y, 0, m, k, n)));
                report(out, "dyw", m, k, n, flops / time(() -> MatMul.dyw(dy, 0, w, 0, dx, 0, m, n, k)));
                report(out, "dytx", m, k, n, flops / time(() -> MatMul.dytx(dy, 0, x, 0, dw, 0, m, n, k)));
            }
        }
        for (int[] kn : WEIGHT_SHAPES) {
            int k = kn[0], n = kn[1];
            int copies = (int) Math.max(1, GEMV_STREAM_BYTES / (4L * n * k));
            float[][] ws = new float[copies][];
            for (int c = 0; c < copies; c++) ws[c] = random(random, n * k);
            float[] x = random(random, k), y = new float[n];
            int[] next = {0};
            double perCall = time(() -> {
                MatMul.gemv(ws[next[0]], 0, x, 0, null, y, 0, n, k);
                next[0] = (next[0] + 1) % copies;
            });
            report(out, "gemv", 1, k, n, 2.0 * k * n / perCall);
        }
        // bfloat16 weights: X·Wᵀ for a 512-token prefill (the packed product widens W while packing), and the
        // streamed matrix-vector product of decoding (half the bytes of fp32)
        for (int[] kn : WEIGHT_SHAPES) {
            int k = kn[0], n = kn[1], m = TRAINING_ROWS[0];
            int[] w = Bf16.pack(random(random, n * k), n, k);
            float[] x = random(random, m * k), y = new float[m * n];
            report(out, "xwt-bf16", m, k, n, 2.0 * m * k * n / time(() -> Bf16.xwt(x, 0, w, null, y, 0, m, k, n)));
        }
        for (int[] kn : WEIGHT_SHAPES) {
            int k = kn[0], n = kn[1];
            int copies = (int) Math.max(1, GEMV_STREAM_BYTES / 2 / (2L * n * k));
            int[][] ws = new int[copies][];
            for (int c = 0; c < copies; c++) ws[c] = Bf16.pack(random(random, n * k), n, k);
            float[] x = random(random, k), y = new float[n];
            int[] next = {0};
            double perCall = time(() -> {
                Bf16.gemv(ws[next[0]], x, 0, null, y, 0, n, k);
                next[0] = (next[0] + 1) % copies;
            });
            report(out, "gemv-bf16", 1, k, n, 2.0 * k * n / perCall);
        }
        out.flush();
    }

    /** The measured FMA peak of the threads used, for the "of peak" column. */
    private double peakGflops;

    private void report(PrintWriter out, String layout, int m, int k, int n, double flopsPerSecond) {
        double gflops = flopsPerSecond / 1e9;
        if (json) {
            out.printf("{\"layout\": \"%s\", \"m\": %d, \"k\": %d, \"n\": %d, \"gflops\": %.2f}%n", layout, m, k, n, gflops);
        } else if (layout.startsWith("gemv")) {
            double bytesPerFlop = layout.equals("gemv") ? 2 : 1; // 4 or 2 bytes per weight, 2 flops per weight
            out.printf("%-9s %6d %6d %6d %9.2f  (%.1f GB/s of weights)%n", layout, m, k, n, gflops, gflops * bytesPerFlop);
        } else {
            out.printf("%-9s %6d %6d %6d %9.1f %6.0f%%%n", layout, m, k, n, gflops, 100 * gflops / peakGflops);
        }
        out.flush();
    }

    /** Seconds per call: warm-up calls (so that the JIT has compiled the kernels), then calls for {@link #seconds}. */
    private double time(Runnable call) {
        long warmUp = System.nanoTime();
        int warmCalls = 0;
        // at least 20 calls: where the first calls run interpreted (seconds each on a loaded machine), a time
        // limit alone can end the warm-up before the JIT has compiled the kernel
        do call.run(); while (++warmCalls < 20 || System.nanoTime() - warmUp < seconds * 1e9);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long start = System.nanoTime(), cpuStart = cpu.getCurrentThreadCpuTime(), elapsed;
        int calls = 0;
        do {
            call.run();
            calls++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < seconds * 1e9);
        if (cpuTime) elapsed = cpu.getCurrentThreadCpuTime() - cpuStart;
        return elapsed / 1e9 / calls;
    }

    private static float[] random(SplittableRandom random, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = (float) (random.nextDouble() * 2 - 1);
        return a;
    }
}
