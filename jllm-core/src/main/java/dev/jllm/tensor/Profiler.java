package dev.jllm.tensor;

import dev.jllm.kernels.FlopCounter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a training step spends its time, op by op, forward and backward: the data behind {@code jllm bench --profile}.
 *
 * <p>Off by default. The hooks are in two places only: {@link Ops} times each op's forward and tags its node with the
 * op's name, and {@link Tensor#backward()} times each node's backward under that name. When off, a hook is one
 * read of a static boolean. A {@link #scope} relabels the ops made inside it ({@code GptModel.head} labels its
 * product "logits"), and {@link #time} measures any other piece (the optimizer step). Timing is meant for one
 * thread driving the step (the kernels may fan out underneath): totals are wall-clock nanoseconds. Beside the time,
 * each name gets the flops of the matrix products made inside it ({@link FlopCounter}), for GFLOP/s per op.
 */
public final class Profiler {
    private Profiler() {}

    private static volatile boolean enabled;
    /** The label that replaces an op's name inside a {@link #scope}, or null. */
    private static String scopeLabel;
    /** name → {nanoseconds, calls, flops}, in first-seen order. */
    private static final Map<String, long[]> totals = new LinkedHashMap<>();
    /** The flop count when the op being timed started (ops are timed one at a time, by the driving thread). */
    private static long flopMark;

    /** Closes a {@link #scope}; never throws. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private static final Scope NO_SCOPE = () -> {};

    public static void enable(boolean on) {
        enabled = on;
        FlopCounter.enable(on);
    }

    public static boolean enabled() {
        return enabled;
    }

    /** Forgets every total. */
    public static synchronized void reset() {
        totals.clear();
    }

    /** Flops of the matrix products per name (only names that made some), in first-seen order. */
    public static synchronized Map<String, Long> flops() {
        Map<String, Long> out = new LinkedHashMap<>();
        totals.forEach((name, t) -> {
            if (t[2] > 0) out.put(name, t[2]);
        });
        return out;
    }

    /** Seconds per name, in first-seen order. */
    public static synchronized Map<String, Double> seconds() {
        Map<String, Double> out = new LinkedHashMap<>();
        totals.forEach((name, t) -> out.put(name, t[0] / 1e9));
        return out;
    }

    /** Ops made until the scope closes are recorded under {@code label} (forward and backward). */
    public static Scope scope(String label) {
        if (!enabled) return NO_SCOPE;
        String outer = scopeLabel;
        scopeLabel = label;
        return () -> scopeLabel = outer;
    }

    /** Runs {@code body}, adding its time under {@code name} when profiling. */
    public static void time(String name, Runnable body) {
        if (!enabled) {
            body.run();
            return;
        }
        flopMark = FlopCounter.total();
        long start = System.nanoTime();
        body.run();
        add(name, System.nanoTime() - start);
    }

    /** The start of an op's forward: a timestamp when profiling, else 0. */
    static long start() {
        if (!enabled) return 0L;
        flopMark = FlopCounter.total();
        return System.nanoTime();
    }

    /**
     * The end of an op's forward begun at {@code start}: records it and names the result's node (unless the op
     * returned an earlier result, which keeps its name); returns result. A start of 0 only names the node.
     */
    static Tensor forward(String op, long start, Tensor result) {
        if (enabled) {
            String name = scopeLabel != null ? scopeLabel : op;
            if (start != 0L) add(name + " fwd", System.nanoTime() - start);
            if (result.node != null && result.node.op == null) result.node.op = name;
        }
        return result;
    }

    /** Runs a node's backward, timed under its op's name when profiling. */
    static void backward(Node node, float[] gradOut) {
        if (!enabled || node.op == null) {
            node.backward.run(gradOut);
            return;
        }
        flopMark = FlopCounter.total();
        long start = System.nanoTime();
        node.backward.run(gradOut);
        add(node.op + " bwd", System.nanoTime() - start);
    }

    private static synchronized void add(String name, long nanos) {
        long[] t = totals.computeIfAbsent(name, k -> new long[3]);
        t[0] += nanos;
        t[1]++;
        t[2] += FlopCounter.total() - flopMark;
        flopMark = FlopCounter.total();
    }
}
