package dev.jllm.kernels;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the floating-point operations of the products (2·m·n·k per call of {@link Gemm}, {@link Gemv} and the
 * bf16 matrix-vector product) while on, so that a profile can divide them by the time of each op and set the
 * GFLOP/s beside the machine's {@link FmaPeak}. Off by default; then a product pays one read of a static
 * boolean. Calls made on worker threads (attention's per-head products) count too.
 */
public final class FlopCounter {
    private FlopCounter() {}

    private static volatile boolean on;
    private static final LongAdder TOTAL = new LongAdder();

    public static void enable(boolean enabled) {
        on = enabled;
    }

    /** Flops counted since the start (while on). */
    public static long total() {
        return TOTAL.sum();
    }

    static void add(long m, long n, long k) {
        if (on) TOTAL.add(2 * m * n * k);
    }
}
