package dev.jllm.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The one place that owns parallelism: a fixed set of platform worker threads, one per core beside the caller.
 * Work is split into contiguous ranges so that each thread owns its outputs (no atomics, no shared writes). The
 * caller runs the first range itself; a loop started from inside a range (on a worker or on the caller) runs
 * serially on that thread, so nested kernels (a matmul per attention head) neither oversubscribe the cores nor
 * wait on workers they occupy.
 *
 * <p>Why not a {@link java.util.concurrent.ForkJoinPool}: a decode step makes about a hundred short parallel calls
 * (one per weight matrix), and handing a task to a parked pool thread costs 30–50 µs on these virtual machines
 * (the idle vCPU has to be woken), 10 % of a 355M token. Here a worker spins for {@link #SPIN_NANOS} after each
 * range before it parks, so back-to-back calls find it awake. A second thread that calls in while the workers are
 * busy runs its loop serially rather than wait.
 */
public final class Parallel {
    private Parallel() {}

    /** Body of a parallel loop over the half-open range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    /** How long an idle worker spins before it parks: longer than the serial gaps between a step's kernels. */
    static final long SPIN_NANOS = 200_000;

    private static volatile int threads = Runtime.getRuntime().availableProcessors();
    private static volatile Pool pool = new Pool(threads);
    /** Set while the calling thread runs its own range of a parallel loop. */
    private static final ThreadLocal<boolean[]> IN_RANGE = ThreadLocal.withInitial(() -> new boolean[1]);

    public static int threads() {
        return threads;
    }

    /** Sets the number of threads a loop is split over (1 runs everything on the caller). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (n == threads) return;
        Pool old = pool;
        pool = new Pool(n);
        threads = n;
        old.shutdown();
    }

    /** Runs {@code body} over [0, n) in up to {@link #threads()} contiguous chunks and waits for all of them. */
    public static void forRange(int n, RangeBody body) {
        Pool p = pool;
        int t = Math.min(threads, n);
        boolean[] inRange = IN_RANGE.get();
        if (t <= 1 || inRange[0] || Thread.currentThread() instanceof Worker || !p.busy.compareAndSet(false, true)) {
            if (n > 0) body.run(0, n);
            return;
        }
        try {
            for (int i = 1; i < t; i++) {
                p.workers[i - 1].assign(body, (int) ((long) n * i / t), (int) ((long) n * (i + 1) / t));
            }
            inRange[0] = true;
            Throwable failure = null;
            try {
                body.run(0, (int) ((long) n / t));
            } catch (Throwable e) {
                failure = e;
            }
            // A worker that has not started its range yet (descheduled by another process) does not hold up the
            // join: the caller takes the range back and runs it (for forEachUnit: finds no unit left).
            for (int i = 1; i < t; i++) {
                Throwable e = p.workers[i - 1].await();
                if (failure == null) failure = e;
            }
            inRange[0] = false;
            rethrow(failure);
        } finally {
            p.busy.set(false);
        }
    }

    /**
     * Runs {@code body} over [0, units) one unit at a time. Each thread owns a contiguous share of the units and claims
     * them in order from its own counter; a thread whose share is done takes the remaining units of the others' shares
     * (the same counters), so a core that streams slower than the other, or is descheduled, does not hold up the loop.
     * For memory-bound loops (decoding's matrix-vector products).
     *
     * <p>Why shares and not one counter that every thread takes the next unit from: with one shared counter the two
     * threads' units interleave, and on this 2-vCPU Zen 5 VM the Q8_0 products of a Llama-1B-shaped file then streamed
     * 7 GB/s with units of 1 row, 21 with 16 and 37 with 256, against 42 for each thread's rows in one contiguous run
     * (the counter's cache line moves between the cores at every claim, and each thread's memory stream restarts at
     * every unit). Each share's counter sits on its own cache lines.
     */
    public static void forEachUnit(int units, RangeBody body) {
        int t = Math.min(threads, units);
        if (t <= 1) {
            for (int u = 0; u < units; u++) body.run(u, u + 1);
            return;
        }
        AtomicIntegerArray next = new AtomicIntegerArray(t * PAD);
        forRange(t, (s0, s1) -> {
            // normally one share per thread; run serially (nested, or the pool busy) one thread drains them all
            for (int i = 0; i < t; i++) {
                int s = (s0 + i) % t, start = (int) ((long) units * s / t), end = (int) ((long) units * (s + 1) / t);
                for (int u = start + next.getAndIncrement(s * PAD); u < end; u = start + next.getAndIncrement(s * PAD)) {
                    body.run(u, u + 1);
                }
            }
        });
    }

    /** Ints between two shares' counters in {@link #forEachUnit(int, RangeBody)}: 128 bytes, two cache lines. */
    private static final int PAD = 32;

    /**
     * A piece of work in units that any thread may run, in any order: the rows of one matrix-vector product, a unit
     * of rows at a time ({@link #forEachUnit(Units...)}).
     */
    public interface Units {
        /** How many units there are. */
        int count();

        /** Runs unit {@code unit} (0 ≤ unit < count). */
        void run(int unit);
    }

    /**
     * Runs the units of all {@code works} in one parallel loop, each thread claiming the next unclaimed unit. A
     * decode step's products of one input (q, k and v; gate and up) go through one hand-off and one join instead of
     * one each, and a thread that finishes its share of one product goes straight on to the next.
     */
    public static void forEachUnit(Units... works) {
        int[] end = new int[works.length];
        int total = 0;
        for (int i = 0; i < works.length; i++) end[i] = total += works[i].count();
        int units = total;
        forEachUnit(units, (u, u1) -> {
            int i = 0;
            while (u >= end[i]) i++;
            works[i].run(i == 0 ? u : u - end[i - 1]);
        });
    }

    private static void rethrow(Throwable failure) {
        if (failure instanceof RuntimeException e) throw e;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new IllegalStateException(failure);
    }

    /** threads − 1 workers, lent to one caller at a time. */
    private static final class Pool {
        final Worker[] workers;
        final AtomicBoolean busy = new AtomicBoolean();

        Pool(int threads) {
            workers = new Worker[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker("jllm-parallel-" + (i + 1));
                workers[i].start();
            }
        }

        /** Waits for a loop in flight, then stops the workers; callers still holding this pool run serially. */
        void shutdown() {
            while (!busy.compareAndSet(false, true)) Thread.onSpinWait();
            for (Worker w : workers) w.retire();
        }
    }

    /**
     * A thread that runs one range per assignment. The caller writes the range, then bumps {@link #assigned}; the
     * worker runs it and sets {@link #finished} to the same number. Both counters are volatile: together with
     * {@link #parked} they order the hand-off so that an assignment is never missed by a worker about to park.
     */
    private static final class Worker extends Thread {
        private RangeBody body;
        private int start, end;
        private Throwable failure;
        private volatile long assigned, finished;
        /** The last assignment taken, by this worker or by the caller's {@link #await}: whoever moves it runs it. */
        private final java.util.concurrent.atomic.AtomicLong claimed = new java.util.concurrent.atomic.AtomicLong();
        private volatile boolean parked, stopped;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        void assign(RangeBody body, int start, int end) {
            this.body = body;
            this.start = start;
            this.end = end;
            this.failure = null;
            assigned = assigned + 1;
            if (parked) LockSupport.unpark(this);
        }

        /**
         * Waits for the current assignment, or runs it on the calling thread if the worker has not claimed it yet;
         * returns what it threw, or null.
         */
        Throwable await() {
            long target = assigned, since = System.nanoTime();
            if (claimed.compareAndSet(target - 1, target)) {
                try {
                    body.run(start, end);
                    return null;
                } catch (Throwable e) {
                    return e;
                } finally {
                    body = null;
                }
            }
            while (finished != target) {
                // Spin while the range should be nearly done; then give the core away, in case the worker was
                // descheduled and needs it.
                if (System.nanoTime() - since < SPIN_NANOS) Thread.onSpinWait();
                else Thread.yield();
            }
            return failure;
        }

        void retire() {
            stopped = true;
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            long done = 0;
            while (!stopped) {
                long idleSince = System.nanoTime();
                while (assigned == done && !stopped) {
                    if (System.nanoTime() - idleSince < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (assigned == done && !stopped) LockSupport.park(this);
                        parked = false;
                        idleSince = System.nanoTime();
                    }
                }
                if (stopped) return;
                done = assigned;
                if (!claimed.compareAndSet(done - 1, done)) continue; // the caller took this range back
                try {
                    body.run(start, end);
                } catch (Throwable e) {
                    failure = e;
                }
                body = null;
                finished = done;
            }
        }
    }
}
