package dev.jllm.mpi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The binding against Open MPI itself: two ranks on loopback started by mpirun ({@link MpiProbe}). */
class MpiTest {

    @Test
    void withoutMpirunNothingIsLaunched() {
        // the test JVM is started by Maven, not mpirun: training stays in one process and libmpi is not loaded
        assertThat(Mpi.launched()).isFalse();
        assertThat(Mpi.localRanks()).isEqualTo(1);
    }

    @Test
    void everyCallGivesWhatMpiDefines() throws Exception {
        MpiRun.Result r = MpiRun.run(2, 120, MpiProbe.class);
        String out = r.output();
        assertThat(r.exitCode()).as(out).isZero();
        for (int rank = 0; rank < 2; rank++) {
            String p = "rank " + rank + ": ";
            assertThat(out).as(out)
                    .contains(p + "size 2 launched true level")
                    .contains(p + "sum [3.0, 30.0, -1.0]")          // 1+2, 10+20, -0.5-0.5
                    .contains(p + "average [0.5, 1.0]")             // (0+1)/2, (0+2)/2
                    .contains(p + "dsum [1.5, -1.0]")
                    .contains(p + "max [1.0, 0.0]")
                    .contains(p + "broadcast [7.0, 8.0, 9.0]")      // from the last rank
                    .contains(p + "gather [100, 101]")
                    .contains(p + "bad root: MPI_Bcast failed (error 8): MPI_ERR_ROOT")
                    .contains(p + "thread sum 2.0")
                    .contains(p + "finalized");
        }
    }

    @Test
    void anAbortOnOneRankEndsEveryRankWithinSeconds() throws Exception {
        MpiRun.Result r = MpiRun.run(2, 60, MpiProbe.class, "abort");
        assertThat(r.exitCode()).as(r.output()).isEqualTo(3);
        // Open MPI's own "MPI_ABORT was invoked" help text is not asserted: under load its help system can fail to
        // print it ("ORTE_ERROR_LOG: Data unpack would read past end of buffer"); the exit code is what counts.
        assertThat(r.output()).contains("rank 1: aborting").doesNotContain("survived the abort");
        assertThat(r.seconds()).isLessThan(30);
    }
}
