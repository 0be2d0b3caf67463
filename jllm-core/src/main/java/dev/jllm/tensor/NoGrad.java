package dev.jllm.tensor;

/**
 * A scope in which ops record nothing, for inference and generation:
 * {@code try (var g = NoGrad.enter()) { ... }}. Scopes nest and belong to the thread that opened them.
 */
public final class NoGrad implements AutoCloseable {

    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private final int[] depth;
    private boolean closed;

    private NoGrad(int[] depth) {
        this.depth = depth;
    }

    public static NoGrad enter() {
        int[] depth = DEPTH.get();
        depth[0]++;
        return new NoGrad(depth);
    }

    /** True while the current thread is inside a no-grad scope. */
    public static boolean active() {
        return DEPTH.get()[0] > 0;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        depth[0]--;
    }
}
