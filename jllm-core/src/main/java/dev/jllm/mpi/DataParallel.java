package dev.jllm.mpi;

import dev.jllm.data.Batch;
import dev.jllm.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The processes one training run is spread over (data parallelism). A training loop asks {@link #current()}: a
 * process started alone gets {@link #ALONE}, where every method is what a single process does anyway; a process
 * started by {@code mpirun -np N} gets the one of its rank ({@link MpiDataParallel}).
 *
 * <p>What a loop does with it: {@link #start} once (rank 0's weights everywhere, the same settings checked on every
 * rank); {@link #shard} each global batch of {@code ranks × batch} examples drawn in the same seeded order on
 * every rank; {@link #gradients} to run the backward pass of a step's last micro-batch, which also averages the
 * gradients across ranks while it runs; {@link #sum} for the step's loss and token count; and only the
 * {@link #leader()} writes files.
 */
public interface DataParallel extends AutoCloseable {

    /** A process training alone. */
    DataParallel ALONE = new DataParallel() {
        @Override
        public int rank() {
            return 0;
        }

        @Override
        public int ranks() {
            return 1;
        }

        @Override
        public String describe() {
            return "one process";
        }

        @Override
        public void start(Map<String, Tensor> weights, String settings) {}

        @Override
        public Gradients gradients(List<Tensor> params) {
            return new Gradients() {
                @Override
                public void backward(Tensor loss) {
                    loss.backward();
                }
            };
        }

        @Override
        public void sum(double[] values) {}
    };

    /** {@link #ALONE}, or this rank's under mpirun (initialising MPI the first time). */
    static DataParallel current() {
        return Mpi.launched() ? MpiDataParallel.get() : ALONE;
    }

    /** This process's rank, 0 ≤ rank < ranks. */
    int rank();

    int ranks();

    /** The rank that writes the run folder, metrics, plots, samples and checkpoints, and shows the progress. */
    default boolean leader() {
        return rank() == 0;
    }

    /** "rank 1 of 2 (host)", for messages. */
    String describe();

    /**
     * Before the first step: every rank takes rank 0's {@code weights} (all of them, trainable or not), and the
     * {@code settings} (model, data and batch settings in words) must be the same on every rank, or every rank
     * stops with an error naming the ranks that differ.
     */
    void start(Map<String, Tensor> weights, String settings);

    /**
     * This rank's rows [from, to) of a global batch of {@code rows} rows: [rank·b, (rank+1)·b) for rows = ranks × b;
     * a smaller last batch (evaluation without drop-last) gives the first ranks one row more (or the last none).
     */
    default int[] rowRange(int rows) {
        int n = ranks(), r = rank(), base = rows / n, extra = rows % n;
        int from = r * base + Math.min(r, extra);
        return new int[] {from, from + base + (r < extra ? 1 : 0)};
    }

    /** This rank's rows of a global batch ({@link #rowRange}). */
    default Batch shard(Batch global) {
        if (ranks() == 1) return global;
        int[] range = rowRange(global.batchSize());
        int len = global.length(), from = range[0] * len, to = range[1] * len;
        return new Batch(Arrays.copyOfRange(global.inputs(), from, to), Arrays.copyOfRange(global.targets(), from, to),
                range[1] - range[0], len);
    }

    /** The backward pass of a training loop over {@code params} (its trainable parameters, in model order). */
    Gradients gradients(List<Tensor> params);

    /** Sums {@code values} over all ranks, in place (small per-step numbers: losses, token counts, flags). */
    void sum(double[] values);

    @Override
    default void close() {}

    /** Runs backward passes; with several ranks, also averages the gradients over the ranks. */
    interface Gradients extends AutoCloseable {

        /**
         * {@code loss.backward()}; with several ranks the gradients are averaged over all ranks in buckets while it
         * runs, and are the average when this returns. Call it for the last micro-batch of a step (earlier ones
         * accumulate with a plain {@code loss.backward()}).
         */
        void backward(Tensor loss);

        /** Mean seconds per step spent averaging gradients (on the communication thread); 0 alone. */
        default double commSecondsPerStep() {
            return 0;
        }

        /** Mean seconds per step in the all-reduce calls alone (without copying gradients in and out); 0 alone. */
        default double allReduceSecondsPerStep() {
            return 0;
        }

        /** Mean seconds per step the training thread waited for the averaging after its backward pass; 0 alone. */
        default double exposedSecondsPerStep() {
            return 0;
        }

        /** Gradient bytes averaged per step; 0 alone. */
        default long bytesPerStep() {
            return 0;
        }

        /**
         * One line on the averaging for the end of a run: bytes, all-reduce time and bandwidth, the share of it
         * hidden behind the backward pass; null alone.
         */
        default String summary(double stepSeconds) {
            double comm = commSecondsPerStep(), exposed = exposedSecondsPerStep(), reduce = allReduceSecondsPerStep();
            if (bytesPerStep() == 0 || comm == 0) return null;
            return String.format(java.util.Locale.ROOT, "gradient all-reduce: %.1f MB per step, %.3f s in MPI_Allreduce"
                    + " (%.2f GB/s algorithm bandwidth), %.3f s with copies; the step waited %.3f s of it after"
                    + " backward (%.0f%% of the %.3f s step; %.0f%% of the averaging overlapped)",
                    bytesPerStep() / 1e6, reduce, bytesPerStep() / 1e9 / Math.max(reduce, 1e-9), comm, exposed,
                    100 * exposed / Math.max(stepSeconds, 1e-9), stepSeconds,
                    100 * Math.max(0, 1 - exposed / comm));
        }

        @Override
        default void close() {}
    }
}
