package dev.jllm.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchesTest {

    @Test
    void shuffledBatchesVisitEveryIndexOnceAndRepeatWithTheSeed() {
        List<int[]> a = Batches.indices(10, 3, new Random(5), false);
        int[] all = a.stream().flatMapToInt(Arrays::stream).sorted().toArray();
        assertThat(all).containsExactly(IntStream.range(0, 10).toArray());
        assertThat(a.stream().flatMapToInt(Arrays::stream).toArray()).isNotEqualTo(IntStream.range(0, 10).toArray());
        assertThat(Batches.indices(10, 3, new Random(5), false)).usingRecursiveComparison().isEqualTo(a);
        assertThat(Batches.indices(10, 3, null, true)).hasSize(3);
        assertThat(Batches.indices(10, 3, null, false).get(3)).containsExactly(9);
    }
}
