package dev.jllm.mpi;

import dev.jllm.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * Averages the parameters' gradients over all ranks in buckets while the backward pass still runs, as PyTorch's
 * DistributedDataParallel does: the parameters are grouped, in reverse model order (roughly the order backward
 * finishes them), into buckets of about {@code bucketBytes}; when the backward pass has finished every gradient of
 * a bucket ({@link #ready}), a communication thread copies them into the bucket's native buffer, sums it over the
 * ranks ({@code MPI_Allreduce}) and writes the average back. Buckets are reduced strictly in their order, so every
 * rank makes the same collective calls in the same order whatever order its own backward pass finishes them in.
 *
 * <p>One step: {@link #begin()}, then {@code loss.backward(buckets::ready)}, then {@link #finish()}, which marks
 * the parameters the backward pass did not reach (no gradient this step) and waits for the last bucket.
 */
final class GradientBuckets implements AutoCloseable {

    /** PyTorch DDP's default bucket size (bucket_cap_mb = 25). */
    static final long DEFAULT_BUCKET_BYTES = 25L << 20;

    private record Bucket(List<Tensor> params, MemorySegment buffer, Semaphore ready) {}

    private final Mpi mpi;
    private final List<Bucket> buckets = new ArrayList<>();
    private final Map<Tensor, Integer> bucketOf = new IdentityHashMap<>();
    /** Parameters of each bucket whose gradient is not finished yet in this step. */
    private final int[] pending;
    private final Map<Tensor, Boolean> done = new IdentityHashMap<>();
    private final Arena arena = Arena.ofShared();
    private final Semaphore stepDone = new Semaphore(0);
    private final Thread thread;
    private volatile Throwable failure;
    private volatile boolean closed;

    /**
     * Seconds, summed over steps: the communication thread's work (copies and all-reduce), the all-reduce calls
     * alone, and the training thread's wait after its backward pass.
     */
    private double commSeconds, allReduceSeconds, exposedSeconds;
    private long steps;

    GradientBuckets(Mpi mpi, List<Tensor> params, long bucketBytes) {
        this.mpi = mpi;
        List<Tensor> current = new ArrayList<>();
        long bytes = 0;
        for (int i = params.size() - 1; i >= 0; i--) {
            Tensor p = params.get(i);
            current.add(p);
            bytes += 4L * p.size();
            if (bytes >= bucketBytes || i == 0) {
                add(current, bytes);
                current = new ArrayList<>();
                bytes = 0;
            }
        }
        pending = new int[buckets.size()];
        thread = Thread.ofPlatform().daemon().name("jllm-allreduce").start(this::loop);
    }

    private void add(List<Tensor> params, long bytes) {
        for (Tensor p : params) bucketOf.put(p, buckets.size());
        buckets.add(new Bucket(List.copyOf(params), arena.allocate(bytes, 64), new Semaphore(0)));
    }

    int bucketCount() {
        return buckets.size();
    }

    /** Starts a step: every parameter's gradient is pending. */
    void begin() {
        done.clear();
        for (int b = 0; b < buckets.size(); b++) pending[b] = buckets.get(b).params().size();
    }

    /** The backward pass has finished {@code p}'s gradient (called on the training thread). */
    void ready(Tensor p) {
        Integer b = bucketOf.get(p);
        if (b == null || done.put(p, Boolean.TRUE) != null) return;
        if (--pending[b] == 0) buckets.get(b).ready().release();
    }

    /** Marks what backward did not reach, waits until every bucket is averaged, and rethrows a failure of the thread. */
    void finish() {
        long t0 = System.nanoTime();
        for (Tensor p : bucketOf.keySet()) ready(p);
        stepDone.acquireUninterruptibly();
        exposedSeconds += (System.nanoTime() - t0) / 1e9;
        steps++;
        if (failure != null) {
            if (failure instanceof RuntimeException e) throw e;
            throw new IllegalStateException("gradient all-reduce failed: " + failure, failure);
        }
    }

    /** The communication thread: buckets in order, one step after another. */
    private void loop() {
        while (!closed) {
            for (Bucket b : buckets) {
                b.ready().acquireUninterruptibly();
                if (closed) return;
                long t0 = System.nanoTime();
                try {
                    if (failure == null) reduce(b);
                } catch (Throwable t) {
                    failure = t;
                }
                commSeconds += (System.nanoTime() - t0) / 1e9;
            }
            stepDone.release();
        }
    }

    /** Copies the bucket's gradients in, sums them over the ranks, and writes the average back. */
    private void reduce(Bucket b) {
        MemorySegment buf = b.buffer();
        long offset = 0;
        for (Tensor p : b.params()) {
            float[] g = p.grad();
            if (g != null) MemorySegment.copy(g, 0, buf, ValueLayout.JAVA_FLOAT, offset, g.length);
            else buf.asSlice(offset, 4L * p.size()).fill((byte) 0);
            offset += 4L * p.size();
        }
        long t0 = System.nanoTime();
        mpi.allReduceSum(buf);
        allReduceSeconds += (System.nanoTime() - t0) / 1e9;
        float inv = 1f / mpi.size();
        offset = 0;
        for (Tensor p : b.params()) {
            float[] g = p.grad();
            if (g != null) {
                MemorySegment.copy(buf, ValueLayout.JAVA_FLOAT, offset, g, 0, g.length);
                for (int i = 0; i < g.length; i++) g[i] *= inv;
            }
            offset += 4L * p.size();
        }
    }

    /** Gradient bytes all-reduced per step. */
    long bytesPerStep() {
        long n = 0;
        for (Bucket b : buckets) n += b.buffer().byteSize();
        return n;
    }

    /** Mean seconds per step the communication thread worked (copies + all-reduce). */
    double commSecondsPerStep() {
        return steps == 0 ? 0 : commSeconds / steps;
    }

    /** Mean seconds per step in {@code MPI_Allreduce} alone (without the copies in and out). */
    double allReduceSecondsPerStep() {
        return steps == 0 ? 0 : allReduceSeconds / steps;
    }

    /** Mean seconds per step the training thread waited for communication after its backward pass. */
    double exposedSecondsPerStep() {
        return steps == 0 ? 0 : exposedSeconds / steps;
    }

    @Override
    public void close() {
        closed = true;
        for (Bucket b : buckets) b.ready().release();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) arena.close();
    }
}
