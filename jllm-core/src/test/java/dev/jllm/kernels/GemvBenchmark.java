package dev.jllm.kernels;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmark of matrix-vector y = W·x at the decoding shapes of GPT-2 (124M). Each call takes the next of
 * several copies of W (256 MiB in all), so the weights stream from memory as in real decoding.
 * GFLOP/s = ops/s · 2·K·N / 1e9, and weight bandwidth in GB/s = ops/s · 4·K·N / 1e9.
 *
 * <pre>./mvnw -q -Pjmh test -DskipTests -Djmh="GemvBenchmark"</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class GemvBenchmark {

    /** K x N of the weight W[N, K]. */
    @Param({"768x2304", "768x3072", "3072x768", "768x50257"})
    String kn;

    int k, n, next;
    float[][] ws;
    float[] x, y;

    @Setup
    public void setUp() {
        String[] parts = kn.split("x");
        k = Integer.parseInt(parts[0]);
        n = Integer.parseInt(parts[1]);
        SplittableRandom random = new SplittableRandom(1);
        ws = new float[(int) Math.max(1, (256L << 20) / (4L * k * n))][];
        for (int c = 0; c < ws.length; c++) ws[c] = MatMulBenchmark.random(random, n * k);
        x = MatMulBenchmark.random(random, k);
        y = new float[n];
    }

    @Benchmark
    public float[] gemv() {
        MatMul.gemv(ws[next], 0, x, 0, null, y, 0, n, k);
        next = (next + 1) % ws.length;
        return y;
    }
}
