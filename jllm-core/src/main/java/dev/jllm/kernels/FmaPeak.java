package dev.jllm.kernels;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.DoubleAdder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's fp32 peak as the kernels see it: FMA units × lanes × 2 flops × clock, measured by a loop that
 * does nothing but FMAs on registers ({@link #throughputLoop}: 16 independent chains, enough to fill four
 * units of 4-cycle latency), on every thread at once. A second loop of one dependent chain gives the FMA
 * latency, from which, assuming the 4-cycle latency of every x86 core of the last decade (AMD Zen 2–5, Intel
 * Skylake to Sapphire Rapids), the clock and the number of FMA units follow: units = throughput × latency / 4.
 *
 * <p>Each thread divides by its own CPU time, so that on a shared machine the result is what the cores can do
 * while they run this program, not how much of them another process took.
 */
public final class FmaPeak {
    private FmaPeak() {}

    private static final VectorSpecies<Float> S = MicroKernel.S;
    /** Cycles of one FMA's latency on the cores this is meant for. */
    static final int ASSUMED_LATENCY_CYCLES = 4;

    /**
     * @param gflops        all threads together
     * @param gflopsPerCore the mean of one thread
     * @param threads       threads measured at once
     * @param lanes         floats per vector of the species the kernels use
     * @param fmaUnits      vector FMAs per cycle per core (rounded)
     * @param ghz           the clock implied by the measured latency
     */
    public record Peak(double gflops, double gflopsPerCore, int threads, int lanes, int fmaUnits, double ghz) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                    "%.0f GFLOP/s fp32 (%d threads x %d FMA units x %d lanes x 2 x %.2f GHz; %.0f per core)",
                    gflops, threads, fmaUnits, lanes, ghz, gflopsPerCore);
        }
    }

    /** Measures the peak on {@code threads} threads at once (through {@link Parallel}); takes about half a second. */
    public static Peak measure(int threads) {
        warmUp();
        double latencyNs = Double.MAX_VALUE;
        for (int r = 0; r < 5; r++) latencyNs = Math.min(latencyNs, latencyNs());
        DoubleAdder total = new DoubleAdder();
        int t = Math.max(1, threads);
        double[] best = new double[t];
        for (int r = 0; r < 5; r++) {
            Parallel.forRange(t, (i0, i1) -> {
                for (int i = i0; i < i1; i++) best[i] = Math.max(best[i], fmasPerNs());
            });
        }
        for (double b : best) total.add(b);
        double fmasPerNs = total.sum() / t;
        double ghz = ASSUMED_LATENCY_CYCLES / latencyNs;
        int units = (int) Math.max(1, Math.round(fmasPerNs / ghz));
        double perCore = fmasPerNs * S.length() * 2;
        return new Peak(perCore * t, perCore, t, S.length(), units, ghz);
    }

    private static void warmUp() {
        float sink = 0;
        for (int i = 0; i < 300; i++) sink += throughputLoop(2_000) + latencyLoop(2_000);
        if (sink == 42f) System.out.print(""); // keeps the loops from being removed
    }

    /** Vector FMAs per nanosecond of this thread's CPU time. */
    private static double fmasPerNs() {
        int iterations = 2_000_000;
        return 16.0 * iterations / cpuNanos(FmaPeak::throughputLoop, iterations);
    }

    /** Nanoseconds of one FMA in a dependent chain. */
    private static double latencyNs() {
        int iterations = 1_000_000;
        return cpuNanos(FmaPeak::latencyLoop, iterations) / (4.0 * iterations);
    }

    /** CPU nanoseconds of this thread that {@code loop} takes for {@code iterations}. */
    private static long cpuNanos(java.util.function.IntToDoubleFunction loop, int iterations) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long c0 = mx.getCurrentThreadCpuTime();
        double sink = loop.applyAsDouble(iterations);
        long ns = Math.max(1, mx.getCurrentThreadCpuTime() - c0);
        if (sink == 42.0) System.out.print(""); // keeps the loop from being removed
        return ns;
    }

    /** 16 independent chains c = c·a + b: 16 vector FMAs per iteration, all on registers. */
    static float throughputLoop(int iterations) {
        FloatVector a = FloatVector.broadcast(S, 0.999f), b = FloatVector.broadcast(S, 0.001f);
        FloatVector c0 = FloatVector.broadcast(S, 0.5f), c1 = c0.add(0.01f), c2 = c0.add(0.02f), c3 = c0.add(0.03f);
        FloatVector c4 = c0.add(0.04f), c5 = c0.add(0.05f), c6 = c0.add(0.06f), c7 = c0.add(0.07f);
        FloatVector c8 = c0.add(0.08f), c9 = c0.add(0.09f), c10 = c0.add(0.10f), c11 = c0.add(0.11f);
        FloatVector c12 = c0.add(0.12f), c13 = c0.add(0.13f), c14 = c0.add(0.14f), c15 = c0.add(0.15f);
        for (int i = 0; i < iterations; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
            c12 = c12.fma(a, b); c13 = c13.fma(a, b); c14 = c14.fma(a, b); c15 = c15.fma(a, b);
        }
        FloatVector s = c0.add(c1).add(c2.add(c3)).add(c4.add(c5).add(c6.add(c7)))
                .add(c8.add(c9).add(c10.add(c11)).add(c12.add(c13).add(c14.add(c15))));
        return s.reduceLanes(VectorOperators.ADD);
    }

    /** One dependent chain: 4 FMAs per iteration, each waiting for the last. */
    static float latencyLoop(int iterations) {
        FloatVector a = FloatVector.broadcast(S, 0.999f), b = FloatVector.broadcast(S, 0.001f);
        FloatVector c = FloatVector.broadcast(S, 0.5f);
        for (int i = 0; i < iterations; i++) c = c.fma(a, b).fma(a, b).fma(a, b).fma(a, b);
        return c.reduceLanes(VectorOperators.ADD);
    }
}
