package dev.jllm.mpi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Locale;

/**
 * Measures {@code MPI_Allreduce} (sum, in place, floats) between the ranks of an mpirun job, the figure the
 * scaling model of data-parallel training needs:
 * <pre>
 *   mpirun -np 2 java --enable-native-access=ALL-UNNAMED -cp jllm-core/target/classes dev.jllm.mpi.AllReduceBandwidth [MB...]
 * </pre>
 * For each buffer size (default 1, 25 and 100 MB) rank 0 prints the median time of 10 all-reduces after 2
 * warm-ups, and the algorithm bandwidth (bytes / time) and bus bandwidth (× 2(N−1)/N, what each link carries in
 * a ring all-reduce), as nccl-tests reports them.
 */
public final class AllReduceBandwidth {
    private AllReduceBandwidth() {}

    public static void main(String[] args) {
        double[] sizesMb = args.length == 0 ? new double[] {1, 25, 100} : Arrays.stream(args).mapToDouble(Double::parseDouble).toArray();
        Mpi mpi = Mpi.init();
        int n = mpi.size();
        for (double mb : sizesMb) {
            long bytes = (long) (mb * 1e6) / 4 * 4;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buf = arena.allocate(bytes, 64);
                double[] seconds = new double[10];
                for (int i = -2; i < seconds.length; i++) {
                    mpi.barrier();
                    long t0 = System.nanoTime();
                    mpi.allReduceSum(buf);
                    if (i >= 0) seconds[i] = (System.nanoTime() - t0) / 1e9;
                }
                Arrays.sort(seconds);
                double median = (seconds[4] + seconds[5]) / 2;
                if (mpi.rank() == 0) {
                    System.out.printf(Locale.ROOT, "%d ranks, %8.1f MB: median %.4f s (min %.4f, max %.4f), algorithm"
                                    + " bandwidth %.2f GB/s, bus bandwidth %.2f GB/s%n", n, bytes / 1e6, median,
                            seconds[0], seconds[9], bytes / 1e9 / median, bytes / 1e9 / median * 2 * (n - 1) / n);
                }
            }
        }
        mpi.close();
    }
}
