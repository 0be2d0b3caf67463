package dev.jllm.kernels;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Measures the three training layouts of {@link MatMul} at GPT-2 124M shapes under several {@link GemmPlan}s, the
 * plans interleaved shape by shape so that they see the same machine (not a test; run by hand). Prints GFLOP/s
 * per shape, layout and plan (the best of {@code rounds}, the plans taking turns); with {@code cpu} (one thread) by
 * the measuring thread's CPU time.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes \
 *     dev.jllm.kernels.GemmMeasure THREADS SECONDS [cpu] [layouts=xwt,dyw] [m=512] [kn=768x3072] [rounds=3] PLAN...</pre>
 * where PLAN is a {@link GemmPlan#spec} such as {@code 12x2,384,8}, or {@code auto} for this JVM's plan.
 */
public final class GemmMeasure {
    private static final int[][] WEIGHTS = {{768, 2304}, {768, 3072}, {3072, 768}, {768, 50257}}; // {K, N}

    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]);
        double seconds = Double.parseDouble(args[1]);
        boolean cpu = false;
        List<String> layouts = List.of("xwt", "dyw", "dytx");
        List<Integer> rows = List.of(512, 2048);
        List<int[]> weights = List.of(WEIGHTS);
        List<GemmPlan> plans = new ArrayList<>();
        int rounds = 1;
        for (int i = 2; i < args.length; i++) {
            String a = args[i];
            if (a.equals("cpu")) cpu = true;
            else if (a.startsWith("layouts=")) layouts = List.of(a.substring(8).split(","));
            else if (a.startsWith("m=")) rows = java.util.Arrays.stream(a.substring(2).split(",")).map(Integer::valueOf).toList();
            else if (a.startsWith("kn=")) weights = java.util.Arrays.stream(a.substring(3).split(","))
                    .map(v -> new int[] {Integer.parseInt(v.split("x")[0]), Integer.parseInt(v.split("x")[1])}).toList();
            else if (a.startsWith("rounds=")) rounds = Integer.parseInt(a.substring(7));
            else if (a.equals("auto")) plans.add(GemmPlan.active());
            else {
                GemmPlan p = GemmPlan.parse(a);
                if (p == null) throw new IllegalArgumentException("not a plan: " + a);
                plans.add(p);
            }
        }
        if (cpu && threads != 1) throw new IllegalArgumentException("cpu time needs one thread");
        Parallel.setThreads(threads);
        ThreadMXBean clock = ManagementFactory.getThreadMXBean();
        SplittableRandom rng = new SplittableRandom(1);
        StringBuilder head = new StringBuilder(String.format("%-5s %5s %5s %6s", "layout", "M", "K", "N"));
        for (int i = 0; i < plans.size(); i++) head.append(String.format(" %12s", plans.get(i).spec()));
        System.out.println(head);
        double[] sums = new double[plans.size()];
        int count = 0;
        for (int m : rows) {
            for (int[] kn : weights) {
                int k = kn[0], n = kn[1];
                float[] x = rand(rng, m * k), w = rand(rng, n * k), dy = rand(rng, m * n), bias = rand(rng, n);
                float[] y = new float[m * n], dx = new float[m * k], dw = new float[n * k];
                for (String layout : layouts) {
                    StringBuilder line = new StringBuilder(String.format("%-6s %5d %5d %6d", layout, m, k, n));
                    double[] best = new double[plans.size()];
                    for (int round = 0; round < rounds; round++) for (int pi = 0; pi < plans.size(); pi++) {
                        GemmPlan plan = plans.get(pi);
                        Runnable call = switch (layout) {
                            case "xwt" -> () -> MatMul.xwt(plan, x, 0, w, 0, bias, y, 0, m, k, n);
                            case "dyw" -> () -> MatMul.dyw(plan, dy, 0, w, 0, dx, 0, m, n, k);
                            case "dytx" -> () -> MatMul.dytx(plan, dy, 0, x, 0, dw, 0, m, n, k);
                            default -> throw new IllegalArgumentException(layout);
                        };
                        long t0 = System.nanoTime();
                        int warm = 0;
                        do call.run(); while (++warm < 3 || System.nanoTime() - t0 < seconds * 0.3e9);
                        long start = System.nanoTime(), cpuStart = clock.getCurrentThreadCpuTime(), elapsed;
                        int calls = 0;
                        do {
                            call.run();
                            calls++;
                            elapsed = System.nanoTime() - start;
                        } while (elapsed < seconds * 1e9);
                        if (cpu) elapsed = clock.getCurrentThreadCpuTime() - cpuStart;
                        best[pi] = Math.max(best[pi], 2.0 * m * k * n * calls / elapsed);
                    }
                    for (int pi = 0; pi < plans.size(); pi++) {
                        sums[pi] += best[pi];
                        line.append(String.format(" %12.1f", best[pi]));
                    }
                    count++;
                    System.out.println(line);
                }
            }
        }
        StringBuilder mean = new StringBuilder(String.format("%-26s", "mean"));
        for (double s : sums) mean.append(String.format(" %12.1f", s / count));
        System.out.println(mean);
    }

    private static float[] rand(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }
}
