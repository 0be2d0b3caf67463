package dev.jllm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * How fast this machine moves memory: the ceiling of one-token decoding, which reads every weight once per token.
 *
 * <p>{@link #copyGbPerSecond} is STREAM's "Copy" ({@code dst[i] = src[i]} over arrays far larger than the caches,
 * counting the bytes read plus the bytes written); {@link #readGbPerSecond} only reads, front to back, as the
 * decoder's matrix-vector products do. Both split the work over the {@link Parallel} threads and report GB/s
 * (1e9 bytes), best of {@code reps} after one untimed pass that faults the pages in.
 */
public final class MemoryBandwidth {
    private MemoryBandwidth() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** Keeps the read sums alive, so the JIT cannot drop the loads. */
    private static volatile float sink;

    /** Copy bandwidth over {@code mebibytes} MiB: bytes read plus bytes written per second. */
    public static double copyGbPerSecond(int mebibytes, int reps) {
        float[] src = filled(mebibytes, reps), dst = new float[src.length];
        double seconds = best(reps,
                () -> Parallel.forRange(src.length, (s, e) -> System.arraycopy(src, s, dst, s, e - s)));
        return 2.0 * src.length * Float.BYTES / seconds / 1e9;
    }

    /** Read bandwidth over {@code mebibytes} MiB: bytes read per second by a vector sum. */
    public static double readGbPerSecond(int mebibytes, int reps) {
        float[] src = filled(mebibytes, reps);
        int parts = Parallel.threads();
        float[] partial = new float[parts];
        double seconds = best(reps, () -> {
            Parallel.forRange(parts, (t0, t1) -> {
                for (int t = t0; t < t1; t++) {
                    partial[t] = sum(src, (int) ((long) src.length * t / parts), (int) ((long) src.length * (t + 1) / parts));
                }
            });
            sink = partial[0];
        });
        return (double) src.length * Float.BYTES / seconds / 1e9;
    }

    private static float[] filled(int mebibytes, int reps) {
        if (mebibytes < 1 || reps < 1) throw new IllegalArgumentException("need at least 1 MiB and 1 repetition");
        float[] a = new float[mebibytes * (1 << 20) / Float.BYTES];
        for (int i = 0; i < a.length; i += 1024) a[i] = i;
        return a;
    }

    /** Seconds of the fastest of {@code reps} runs, after one untimed run. */
    private static double best(int reps, Runnable body) {
        body.run();
        double best = Double.MAX_VALUE;
        for (int r = 0; r < reps; r++) {
            long start = System.nanoTime();
            body.run();
            best = Math.min(best, (System.nanoTime() - start) / 1e9);
        }
        return best;
    }

    /** Σ a[s..e) with four accumulators, one sequential stream. */
    private static float sum(float[] a, int s, int e) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        int i = s;
        for (; i + 4 * V <= e; i += 4 * V) {
            s0 = s0.add(FloatVector.fromArray(S, a, i));
            s1 = s1.add(FloatVector.fromArray(S, a, i + V));
            s2 = s2.add(FloatVector.fromArray(S, a, i + 2 * V));
            s3 = s3.add(FloatVector.fromArray(S, a, i + 3 * V));
        }
        float r = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < e; i++) r += a[i];
        return r;
    }
}
