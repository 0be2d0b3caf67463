package dev.jllm.serve;

import dev.jllm.generate.BatchGenerator;
import dev.jllm.generate.TextStreamer;
import dev.jllm.model.CausalLM;
import dev.jllm.model.PagedKvCache;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Continuous batching for the server: one thread of its own runs a {@link BatchGenerator}, step after step, over
 * every running completion. A request joins the batch at the next step (first come, first served, while the batch
 * has room and the KV pool has blocks for it), leaves it when it ends, and is cancelled when its client leaves;
 * beyond {@code queue} waiting requests the answer is 503 with {@code Retry-After}. The HTTP threads never compute.
 */
final class BatchEngine implements AutoCloseable {
    private final BatchGenerator batch;
    private final int maxBatch;
    private final int queue;
    private final IntConsumer tokenHook;
    private final Thread thread;
    private final Map<Generation, BatchGenerator.Request> requests = new ConcurrentHashMap<>();
    private volatile boolean draining;
    private volatile boolean closed;

    BatchEngine(CausalLM model, BatchGenerator.Settings settings, int queue, IntConsumer tokenHook) {
        this.batch = new BatchGenerator(model, settings);
        this.maxBatch = settings.maxBatch();
        this.queue = queue;
        this.tokenHook = tokenHook;
        this.thread = new Thread(this::loop, "jllm-batch");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (!closed) {
            boolean worked;
            try {
                worked = batch.step();
            } catch (RuntimeException e) {
                worked = true; // the requests of the failed step were ended with FAILED and told so
            }
            if (!worked) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /**
     * Queues a completion behind those waiting, or throws a 503 {@link ApiException} when the queue is full or the
     * server is shutting down. The generation thread reports to {@code generation}.
     */
    synchronized void submit(Generation generation, int[] prompt, Sampling sampling, ServedModel served) {
        if (draining) throw GenerationQueue.shuttingDown();
        if (batch.queued() >= queue + Math.max(0, maxBatch - batch.running())) {
            throw ApiException.overloaded("the server is busy: " + maxBatch + " generations are running and " + queue
                    + " waiting; try again later", GenerationQueue.RETRY_AFTER_SECONDS);
        }
        TextStreamer streamer = new TextStreamer(served.tokenizer(), served.withEndTokens(sampling.stops()),
                piece -> generation.report(new Generation.Piece(piece)));
        BatchGenerator.Request request = batch.submit(prompt, sampling.options(served.endIds()),
                new BatchGenerator.Listener() {
                    @Override
                    public void started() {
                        generation.report(new Generation.Started());
                    }

                    @Override
                    public boolean token(int id) {
                        tokenHook.accept(id);
                        return streamer.onToken(id) && generation.cancelled() == null;
                    }

                    @Override
                    public void ended(BatchGenerator.Request r) {
                        requests.remove(generation);
                        if (r.finish() == BatchGenerator.Finish.FAILED) {
                            generation.report(new Generation.Failed(r.failure()));
                            return;
                        }
                        streamer.flush();
                        int n = r.tokens().length;
                        boolean stopped = r.finish() != BatchGenerator.Finish.LENGTH || streamer.stopped();
                        generation.report(new Generation.Done(streamer.text(), stopped ? "stop" : "length", n,
                                generation.cancelled()));
                    }
                });
        requests.put(generation, request);
        LockSupport.unpark(thread);
    }

    /** Cancels {@code generation}: it leaves the queue or the batch at the next step. */
    void cancel(Generation generation) {
        BatchGenerator.Request r = requests.get(generation);
        if (r != null) r.cancel();
    }

    int busy() {
        return batch.running();
    }

    int waiting() {
        return batch.queued();
    }

    int capacity() {
        return maxBatch;
    }

    int queueCapacity() {
        return queue;
    }

    PagedKvCache cache() {
        return batch.cache();
    }

    /**
     * Shutting down: refuses new requests, ends queued ones with a 503, lets running ones finish for up to
     * {@code grace}, then cancels the rest. Returns how many were cut short.
     */
    int drain(Duration grace) throws InterruptedException {
        draining = true;
        for (var e : requests.entrySet()) {
            if (e.getValue().finish() == null && !e.getKey().started()) {
                e.getKey().cancel(Generation.Cancel.SHUTDOWN);
                e.getValue().cancel();
            }
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (batch.busy() && System.nanoTime() < deadline) Thread.sleep(10);
        int cut = 0;
        for (var e : requests.entrySet()) {
            e.getKey().cancel(Generation.Cancel.SHUTDOWN);
            e.getValue().cancel();
            cut++;
        }
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (batch.busy() && System.nanoTime() < deadline) Thread.sleep(10);
        return cut;
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
