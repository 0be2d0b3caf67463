package dev.jllm.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every index runs exactly once, failures reach the caller, and callers on several threads do not interfere. */
class ParallelTest {

    private final int before = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(before);
    }

    private static void assertEachOnce(AtomicIntegerArray hits) {
        for (int i = 0; i < hits.length(); i++) assertThat(hits.get(i)).as("index %d", i).isEqualTo(1);
    }

    @Test
    void forRangeRunsEveryIndexOnceForAnySplit() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            Parallel.setThreads(threads);
            for (int n : new int[] {0, 1, 2, 3, 7, 1000}) {
                for (int repeat = 0; repeat < 50; repeat++) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    Parallel.forRange(n, (s, e) -> {
                        for (int i = s; i < e; i++) hits.incrementAndGet(i);
                    });
                    assertEachOnce(hits);
                }
            }
        }
    }

    @Test
    void forEachUnitRunsEveryUnitOnce() {
        Parallel.setThreads(3);
        for (int units : new int[] {0, 1, 2, 100}) {
            AtomicIntegerArray hits = new AtomicIntegerArray(units);
            Parallel.forEachUnit(units, (u0, u1) -> {
                assertThat(u1).isEqualTo(u0 + 1);
                hits.incrementAndGet(u0);
            });
            assertEachOnce(hits);
        }
    }

    @Test
    void aThreadStuckInOneUnitHasTheRestOfItsShareTakenByTheOther() throws Exception {
        Parallel.setThreads(2);
        int units = 8; // shares: units 0-3 and 4-7
        java.util.concurrent.CountDownLatch others = new java.util.concurrent.CountDownLatch(units - 1);
        boolean[] released = new boolean[1];
        AtomicIntegerArray hits = new AtomicIntegerArray(units);
        Parallel.forEachUnit(units, (u0, u1) -> {
            hits.incrementAndGet(u0);
            if (u0 != 0) {
                others.countDown();
                return;
            }
            // units 1-3 are in this unit's share: only the other thread can run them while this one waits
            try {
                released[0] = others.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(released[0]).as("units 1..7 done while unit 0 waited").isTrue();
        assertEachOnce(hits);
    }

    @Test
    void forEachUnitOfSeveralWorksRunsEveryUnitOfEachOnce() {
        Parallel.setThreads(2);
        for (int[] counts : new int[][] {{0}, {3}, {0, 5}, {2, 0, 7}, {1, 1, 1}, {40, 3, 17}}) {
            AtomicIntegerArray[] hits = new AtomicIntegerArray[counts.length];
            Parallel.Units[] works = new Parallel.Units[counts.length];
            for (int i = 0; i < counts.length; i++) {
                AtomicIntegerArray h = hits[i] = new AtomicIntegerArray(counts[i]);
                int count = counts[i];
                works[i] = new Parallel.Units() {
                    public int count() {
                        return count;
                    }

                    public void run(int unit) {
                        h.incrementAndGet(unit);
                    }
                };
            }
            Parallel.forEachUnit(works);
            for (AtomicIntegerArray h : hits) assertEachOnce(h);
        }
    }

    @Test
    void aFailureInAWorkersRangeReachesTheCallerAndThePoolStaysUsable() {
        Parallel.setThreads(2);
        assertThatThrownBy(() -> Parallel.forRange(100, (s, e) -> {
            if (s > 0) throw new IllegalArgumentException("bad range " + s);
        })).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("bad range");
        assertThatThrownBy(() -> Parallel.forRange(100, (s, e) -> {
            if (s == 0) throw new IllegalStateException("caller's range");
        })).isInstanceOf(IllegalStateException.class).hasMessage("caller's range");
        AtomicIntegerArray hits = new AtomicIntegerArray(100);
        Parallel.forRange(100, (s, e) -> {
            for (int i = s; i < e; i++) hits.incrementAndGet(i);
        });
        assertEachOnce(hits);
    }

    @Test
    void nestedLoopsRunSeriallyInsideARange() {
        Parallel.setThreads(2);
        AtomicIntegerArray hits = new AtomicIntegerArray(40 * 30);
        Parallel.forRange(40, (s, e) -> {
            for (int i = s; i < e; i++) {
                int row = i;
                Parallel.forRange(30, (a, b) -> {
                    for (int j = a; j < b; j++) hits.incrementAndGet(row * 30 + j);
                });
            }
        });
        assertEachOnce(hits);
    }

    @Test
    void callersOnSeveralThreadsEachGetTheirWholeLoop() throws Exception {
        Parallel.setThreads(2);
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<AtomicIntegerArray>> results = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                results.add(callers.submit(() -> {
                    AtomicIntegerArray hits = new AtomicIntegerArray(5000);
                    for (int repeat = 0; repeat < 200; repeat++) {
                        Parallel.forRange(5000, (s, e) -> {
                            for (int i = s; i < e; i++) hits.incrementAndGet(i);
                        });
                    }
                    return hits;
                }));
            }
            for (Future<AtomicIntegerArray> f : results) {
                AtomicIntegerArray hits = f.get(60, TimeUnit.SECONDS);
                for (int i = 0; i < hits.length(); i++) assertThat(hits.get(i)).isEqualTo(200);
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void refusesZeroThreads() {
        assertThatThrownBy(() -> Parallel.setThreads(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
