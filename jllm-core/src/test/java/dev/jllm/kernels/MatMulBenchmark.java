package dev.jllm.kernels;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmark of the three training layouts at GPT-2 (124M) shapes: M = batch·context, (K, N) = the qkv, MLP up,
 * MLP down and output-head weights. Besides ops/s, the secondary result {@code gflop} is the GFLOP/s.
 *
 * <pre>./mvnw -q -Pjmh test -DskipTests -Djmh="MatMulBenchmark"</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class MatMulBenchmark {

    @Param({"512", "2048", "4096"})
    int m;

    /** K x N of the weight W[N, K]. */
    @Param({"768x2304", "768x3072", "3072x768", "768x50257"})
    String kn;

    int k, n;
    float[] x, w, dy, y, dx, dw;

    /** GFLOP per second, as a JMH secondary result: each call adds its 2·M·K·N / 1e9. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Flops {
        public double gflop;

        @Setup(Level.Iteration)
        public void reset() {
            gflop = 0;
        }
    }

    @Setup
    public void setUp() {
        String[] parts = kn.split("x");
        k = Integer.parseInt(parts[0]);
        n = Integer.parseInt(parts[1]);
        SplittableRandom random = new SplittableRandom(1);
        x = random(random, m * k);
        w = random(random, n * k);
        dy = random(random, m * n);
        y = new float[m * n];
        dx = new float[m * k];
        dw = new float[n * k];
    }

    @Benchmark
    public float[] xwt(Flops flops) {
        MatMul.xwt(x, 0, w, 0, null, y, 0, m, k, n);
        flops.gflop += 2e-9 * m * k * n;
        return y;
    }

    @Benchmark
    public float[] dyw(Flops flops) {
        MatMul.dyw(dy, 0, w, 0, dx, 0, m, n, k);
        flops.gflop += 2e-9 * m * k * n;
        return dx;
    }

    @Benchmark
    public float[] dytx(Flops flops) {
        MatMul.dytx(dy, 0, x, 0, dw, 0, m, n, k);
        flops.gflop += 2e-9 * m * k * n;
        return dw;
    }

    static float[] random(SplittableRandom random, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = (float) (random.nextDouble() * 2 - 1);
        return a;
    }
}
