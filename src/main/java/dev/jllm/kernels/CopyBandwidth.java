package dev.jllm.kernels;

/**
 * How fast this machine moves memory: the ceiling of one-token decoding, which reads every weight once per token.
 *
 * <p>The measurement is STREAM's "Copy": {@code dst[i] = src[i]} over arrays far larger than the caches, split over
 * the {@link Parallel} threads, counting the bytes read plus the bytes written. Decoding at batch 1 can then run at
 * most {@code gbPerSecond · 1e9 / weightBytes} tokens per second.
 */
public final class CopyBandwidth {
    private CopyBandwidth() {}

    /**
     * Best of {@code reps} copies of {@code mebibytes} MiB (after one untimed copy that faults the pages in), in
     * GB/s (1e9 bytes) read plus written.
     */
    public static double gbPerSecond(int mebibytes, int reps) {
        if (mebibytes < 1 || reps < 1) throw new IllegalArgumentException("need at least 1 MiB and 1 repetition");
        int n = mebibytes * (1 << 20) / Float.BYTES;
        float[] src = new float[n], dst = new float[n];
        for (int i = 0; i < n; i += 1024) src[i] = i;
        double best = Double.MAX_VALUE;
        for (int r = 0; r <= reps; r++) {
            long start = System.nanoTime();
            Parallel.forRange(n, (s, e) -> System.arraycopy(src, s, dst, s, e - s));
            double seconds = (System.nanoTime() - start) / 1e9;
            if (r > 0) best = Math.min(best, seconds);
        }
        return 2.0 * n * Float.BYTES / best / 1e9;
    }
}
