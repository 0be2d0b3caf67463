package dev.jllm.mpi;

import java.util.Arrays;

/**
 * Run under mpirun by {@link MpiTest}: exercises each call of the binding and prints what it got, one line per
 * check, prefixed by the rank, for the test to compare with what MPI's definitions say.
 */
public final class MpiProbe {
    public static void main(String[] args) {
        String mode = args.length > 0 ? args[0] : "calls";
        Mpi mpi = Mpi.init();
        int rank = mpi.rank(), size = mpi.size();
        String p = "rank " + rank + ": ";
        if (mode.equals("abort")) {
            mpi.barrier();
            if (rank == 1) {
                System.out.println(p + "aborting");
                System.out.flush();
                mpi.abort(3);
            }
            mpi.barrier(); // never returns: the abort ends this rank too
            System.out.println(p + "survived the abort");
            return;
        }
        System.out.println(p + "size " + size + " launched " + Mpi.launched() + " level " + mpi.threadLevel());
        float[] f = {rank + 1, 10f * (rank + 1), -0.5f};
        mpi.allReduceSum(f);
        System.out.println(p + "sum " + Arrays.toString(f));
        float[] avg = {rank, 2f * rank};
        mpi.allReduceAverage(avg);
        System.out.println(p + "average " + Arrays.toString(avg));
        double[] d = {rank + 0.25, -rank};
        mpi.allReduceSum(d);
        System.out.println(p + "dsum " + Arrays.toString(d));
        double[] m = {rank, -rank};
        mpi.allReduceMax(m);
        System.out.println(p + "max " + Arrays.toString(m));
        float[] b = rank == size - 1 ? new float[] {7f, 8f, 9f} : new float[3];
        mpi.broadcast(b, size - 1);
        System.out.println(p + "broadcast " + Arrays.toString(b));
        System.out.println(p + "gather " + Arrays.toString(mpi.allGather(100L + rank)));
        try {
            mpi.broadcast(new byte[1], size);
            System.out.println(p + "bad root accepted");
        } catch (MpiException e) {
            System.out.println(p + "bad root: " + e.getMessage());
        }
        // two threads calling in turn: the communication thread of training does this
        Thread t = new Thread(() -> {
            float[] x = {1f};
            mpi.allReduceSum(x);
            System.out.println(p + "thread sum " + x[0]);
        });
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        mpi.barrier();
        mpi.close();
        System.out.println(p + "finalized");
    }
}
