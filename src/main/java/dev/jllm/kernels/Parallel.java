package dev.jllm.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The one place that owns parallelism: a fixed pool of platform threads sized to the cores. Work is split into
 * contiguous ranges so that each task owns its outputs (no atomics, no shared writes). The caller runs the first
 * range itself; a loop started from inside a range (on a pool thread or on the caller) runs serially on that
 * thread, so nested kernels (a matmul per attention head) neither oversubscribe the cores nor wait on a pool
 * they occupy.
 */
public final class Parallel {
    private Parallel() {}

    /** Body of a parallel loop over the half-open range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static volatile int threads = Runtime.getRuntime().availableProcessors();
    private static volatile ForkJoinPool pool = new ForkJoinPool(threads);
    /** Set while the calling thread runs its own range of a parallel loop. */
    private static final ThreadLocal<boolean[]> IN_RANGE = ThreadLocal.withInitial(() -> new boolean[1]);

    public static int threads() {
        return threads;
    }

    /** Sets the number of worker threads (1 runs everything on the caller). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (n == threads) return;
        ForkJoinPool old = pool;
        pool = new ForkJoinPool(n);
        threads = n;
        old.shutdown();
    }

    /** Runs {@code body} over [0, n) in up to {@link #threads()} contiguous chunks and waits for all of them. */
    public static void forRange(int n, RangeBody body) {
        ForkJoinPool p = pool;
        int t = Math.min(threads, n);
        boolean[] inRange = IN_RANGE.get();
        if (t <= 1 || inRange[0] || Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == p) {
            if (n > 0) body.run(0, n);
            return;
        }
        List<ForkJoinTask<?>> tasks = new ArrayList<>(t - 1);
        for (int i = 1; i < t; i++) {
            int start = (int) ((long) n * i / t), end = (int) ((long) n * (i + 1) / t);
            tasks.add(p.submit(() -> body.run(start, end)));
        }
        inRange[0] = true;
        try {
            body.run(0, (int) ((long) n / t));
        } finally {
            inRange[0] = false;
        }
        for (ForkJoinTask<?> task : tasks) task.join();
    }
}
