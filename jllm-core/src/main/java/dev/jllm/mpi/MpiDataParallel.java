package dev.jllm.mpi;

import dev.jllm.kernels.Parallel;
import dev.jllm.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Data parallelism over Open MPI: one {@link DataParallel} per process started by {@code mpirun}, made once by
 * {@link #get()} (which also initialises MPI and splits this machine's cores between the ranks on it).
 *
 * <p>Failure: {@link #end(int)} is the process's way out. On success every rank finalizes MPI; on an error the
 * rank that failed calls {@code MPI_Abort}, and mpirun ends every other rank at once (they may be waiting in a
 * collective call that would never return). A rank killed outright is noticed by mpirun, which ends the others too.
 */
public final class MpiDataParallel implements DataParallel {

    private static MpiDataParallel instance;

    private final Mpi mpi;

    private MpiDataParallel(Mpi mpi) {
        this.mpi = mpi;
    }

    /** This process's data-parallel rank; initialises MPI the first time. */
    public static synchronized MpiDataParallel get() {
        if (instance == null) {
            instance = new MpiDataParallel(Mpi.init());
            // N ranks on one machine share its cores: by default each gets cores / N kernel threads.
            int cores = Runtime.getRuntime().availableProcessors();
            if (Parallel.threads() == cores && System.getenv("JLLM_THREADS") == null) {
                Parallel.setThreads(Math.max(1, cores / Mpi.localRanks()));
            }
        }
        return instance;
    }

    /** True once {@link #get()} made this process a rank. */
    public static synchronized boolean active() {
        return instance != null;
    }

    /** The rank's description for an error line ("rank 1 of 2 (host): "), or "" when MPI is not active. */
    public static synchronized String errorPrefix() {
        return instance == null ? "" : instance.describe() + ": ";
    }

    /**
     * Ends MPI for this process with the command's exit code and returns it: {@code MPI_Finalize} after success,
     * {@code MPI_Abort} (which ends every rank) after an error. Does nothing when MPI is not active.
     */
    public static int end(int exitCode) {
        MpiDataParallel p;
        synchronized (MpiDataParallel.class) {
            p = instance;
        }
        if (p == null || p.mpi.finalized()) return exitCode;
        System.out.flush();
        System.err.flush();
        if (exitCode != 0) p.mpi.abort(exitCode);
        p.mpi.close();
        return exitCode;
    }

    @Override
    public int rank() {
        return mpi.rank();
    }

    @Override
    public int ranks() {
        return mpi.size();
    }

    @Override
    public String describe() {
        return "rank " + mpi.rank() + " of " + mpi.size() + " (" + mpi.processorName() + ")";
    }

    @Override
    public void start(Map<String, Tensor> weights, String settings) {
        StringBuilder all = new StringBuilder(settings);
        weights.forEach((name, t) -> all.append('\n').append(name).append(t.shapeString()));
        long mine = hash(all.toString());
        long[] hashes = mpi.allGather(mine);
        List<Integer> differ = new ArrayList<>();
        for (int r = 1; r < hashes.length; r++) if (hashes[r] != hashes[0]) differ.add(r);
        if (!differ.isEmpty()) {
            if (rank() == differ.getFirst()) {
                throw new IllegalArgumentException("the model, data or batch settings of rank"
                        + (differ.size() > 1 ? "s " : " ") + differ.toString().replaceAll("[\\[\\]]", "")
                        + " differ from rank 0's: start every rank with the same command, and the same data and"
                        + " model files at the same paths");
            }
            mpi.barrier(); // the rank that reports it aborts the job, which ends this wait
        }
        for (Tensor w : weights.values()) if (!w.isReadOnly()) mpi.broadcast(w.data(), 0); // bf16 or quantized: read-only, from the same files
    }

    private static long hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(d).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Gradients gradients(List<Tensor> params) {
        long bucketBytes = GradientBuckets.DEFAULT_BUCKET_BYTES;
        String mb = System.getenv("JLLM_BUCKET_MB");
        if (mb != null) bucketBytes = (long) (Double.parseDouble(mb) * (1 << 20));
        GradientBuckets buckets = new GradientBuckets(mpi, params, bucketBytes);
        return new Gradients() {
            @Override
            public void backward(Tensor loss) {
                buckets.begin();
                loss.backward(buckets::ready);
                buckets.finish();
            }

            @Override
            public double commSecondsPerStep() {
                return buckets.commSecondsPerStep();
            }

            @Override
            public double allReduceSecondsPerStep() {
                return buckets.allReduceSecondsPerStep();
            }

            @Override
            public double exposedSecondsPerStep() {
                return buckets.exposedSecondsPerStep();
            }

            @Override
            public long bytesPerStep() {
                return buckets.bytesPerStep();
            }

            @Override
            public void close() {
                buckets.close();
            }
        };
    }

    @Override
    public void sum(double[] values) {
        if (values.length > 0) mpi.allReduceSum(values);
    }
}
