package dev.jllm.serve;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's own generation threads: at most {@code running} generations at once on platform threads of their
 * own, at most {@code queue} more waiting first come, first served; beyond that a request is refused at once with
 * 503 and {@code Retry-After}. The HTTP threads only hand work over and wait for its events, so health checks,
 * refusals and every other request are answered at once however busy generation is.
 */
final class GenerationQueue implements AutoCloseable {
    /** Seconds a refused client is asked to wait before trying again. */
    static final int RETRY_AFTER_SECONDS = 2;

    private final int running;
    private final int queue;
    private final ThreadPoolExecutor pool;
    private final Set<Job> active = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    GenerationQueue(int running, int queue) {
        this.running = running;
        this.queue = queue;
        BlockingQueue<Runnable> waiting = queue == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queue, true);
        AtomicInteger threads = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(running, running, 0, TimeUnit.SECONDS, waiting, work -> {
            Thread t = new Thread(work, "jllm-generate-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.prestartAllCoreThreads();
    }

    /** One request's work, tied to its {@link Generation} so that it can be withdrawn or failed while it waits. */
    private final class Job implements Runnable {
        final Generation generation;
        final Runnable work;

        Job(Generation generation, Runnable work) {
            this.generation = generation;
            this.work = work;
        }

        @Override
        public void run() {
            active.add(this);
            try {
                if (generation.cancelled() == null) work.run();
            } finally {
                active.remove(this);
            }
        }
    }

    /**
     * Queues {@code work} for {@code generation} behind everything queued before it, or throws a 503
     * {@link ApiException} when the queue is full or the server is shutting down. {@code work} reports its own
     * events, failures included.
     */
    void submit(Generation generation, Runnable work) {
        if (draining) throw shuttingDown();
        try {
            pool.execute(new Job(generation, work));
        } catch (RejectedExecutionException e) {
            if (draining || pool.isShutdown()) throw shuttingDown();
            throw ApiException.overloaded("the server is busy: " + running + " generations are running and " + queue
                    + " waiting; try again later", RETRY_AFTER_SECONDS);
        }
    }

    /** Takes {@code generation} out of the queue if it is still waiting there (its client left). */
    void withdraw(Generation generation) {
        pool.getQueue().removeIf(r -> ((Job) r).generation == generation);
    }

    int busy() {
        return active.size();
    }

    int waiting() {
        return pool.getQueue().size();
    }

    int capacity() {
        return running;
    }

    int queueCapacity() {
        return queue;
    }

    /**
     * Shutting down: refuses new work, fails what is still queued with a 503, lets the running generations finish
     * for up to {@code grace}, then cancels the rest. Returns how many had to be cancelled.
     */
    int drain(Duration grace) throws InterruptedException {
        draining = true;
        List<Runnable> queued = new ArrayList<>();
        pool.getQueue().drainTo(queued);
        for (Runnable r : queued) ((Job) r).generation.report(new Generation.Failed(shuttingDown()));
        pool.shutdown();
        if (pool.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) return 0;
        int cancelled = 0;
        for (Job job : active) {
            job.generation.cancel(Generation.Cancel.SHUTDOWN);
            cancelled++;
        }
        pool.awaitTermination(10, TimeUnit.SECONDS);
        return cancelled;
    }

    static ApiException shuttingDown() {
        return new ApiException(503, "server_error", "the server is shutting down; try again later", null,
                "server_shutting_down", RETRY_AFTER_SECONDS);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
