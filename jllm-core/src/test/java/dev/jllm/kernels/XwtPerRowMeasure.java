package dev.jllm.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Measures the products of one batched decode step of GPT-2 124M (not a test; run by hand): every block's qkv,
 * out_proj, fc1, fc2 and the output head, each its own array (500 MB of float32, so the weights come from memory as
 * in real decoding), through {@link MatMul#xwtPerRow} for 1, 2, 4, 8 and 16 rows. Prints the median seconds per
 * step and its ratio to one row: the cost of serving m sequences at once against one. With {@code cpu} (one thread
 * only) the time is the measuring thread's CPU time, which other processes on a shared machine barely move. With
 * {@code panel}, the same products through {@link PanelGemv} (the weights packed into panels first).
 *
 * <pre>java --add-modules jdk.incubator.vector -cp jllm-core/target/classes:jllm-core/target/test-classes \
 *     dev.jllm.kernels.XwtPerRowMeasure 2 15 [cpu] [panel]</pre>
 */
public final class XwtPerRowMeasure {
    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]), reps = Integer.parseInt(args[1]);
        java.util.Set<String> flags = java.util.Set.of(args);
        boolean cpu = flags.contains("cpu"), panel = flags.contains("panel");
        if (cpu && threads != 1) throw new IllegalArgumentException("cpu time needs one thread");
        Parallel.setThreads(threads);
        java.lang.management.ThreadMXBean clock = java.lang.management.ManagementFactory.getThreadMXBean();
        SplittableRandom rng = new SplittableRandom(1);
        List<int[]> shapes = new ArrayList<>(); // {k, n}
        for (int l = 0; l < 12; l++) {
            shapes.addAll(List.of(new int[] {768, 2304}, new int[] {768, 768}, new int[] {768, 3072}, new int[] {3072, 768}));
        }
        shapes.add(new int[] {768, 50257});
        List<float[]> weights = new ArrayList<>();
        for (int[] s : shapes) {
            float[] w = new float[s[0] * s[1]];
            for (int i = 0; i < w.length; i++) w[i] = (float) rng.nextGaussian() * 0.02f;
            weights.add(panel ? PanelGemv.pack(w, 0, s[1], s[0]) : w);
        }
        float[] x = new float[16 * 3072];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        float[] y = new float[16 * 50257];
        double one = 0;
        for (int m : new int[] {1, 2, 4, 8, 16}) {
            double[] times = new double[reps];
            for (int r = -3; r < reps; r++) { // three warm-up steps
                long t0 = cpu ? clock.getCurrentThreadCpuTime() : System.nanoTime();
                for (int i = 0; i < shapes.size(); i++) {
                    int k = shapes.get(i)[0], n = shapes.get(i)[1];
                    if (panel) PanelGemv.multiply(weights.get(i), x, 0, null, y, 0, m, k, n);
                    else MatMul.xwtPerRow(x, 0, weights.get(i), 0, null, y, 0, m, k, n);
                }
                if (r >= 0) times[r] = ((cpu ? clock.getCurrentThreadCpuTime() : System.nanoTime()) - t0) / 1e9;
            }
            java.util.Arrays.sort(times);
            double median = times[reps / 2];
            if (m == 1) one = median;
            System.out.printf(java.util.Locale.ROOT, "{\"rows\": %d, \"seconds_per_step\": %.4f, \"vs_one_row\": %.2f,"
                    + " \"rows_per_second\": %.1f}%n", m, median, median / one, m / median);
        }
    }
}
