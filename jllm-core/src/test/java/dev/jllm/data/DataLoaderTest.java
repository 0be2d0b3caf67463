package dev.jllm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /** Tokens 0..n-1, so a window's first input id is its start position. */
    private static SlidingWindowDataset dataset(int tokens, int maxLength, int stride) {
        return new SlidingWindowDataset(TokenSequence.of(IntStream.range(0, tokens).toArray()), maxLength, stride);
    }

    /** The start of every row of every batch of one epoch, in order. */
    private static List<Integer> rowStarts(Iterable<Batch> epoch) {
        List<Integer> starts = new ArrayList<>();
        for (Batch b : epoch) {
            for (int row = 0; row < b.batchSize(); row++) starts.add(b.inputs()[row * b.length()]);
        }
        return starts;
    }

    @Test
    void batchesAreRowMajorWithTargetsShiftedByOne() {
        DataLoader loader = new DataLoader(dataset(20, 4, 4), 2, false, false, 0);
        Batch first = loader.iterator().next();
        assertThat(first.batchSize()).isEqualTo(2);
        assertThat(first.length()).isEqualTo(4);
        assertThat(first.inputs()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(first.targets()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void dropLastDecidesAboutTheIncompleteBatch() {
        SlidingWindowDataset windows = dataset(21, 4, 4); // starts 0, 4, 8, 12, 16: 5 windows
        DataLoader keep = new DataLoader(windows, 2, false, false, 0);
        DataLoader drop = new DataLoader(windows, 2, false, true, 0);
        assertThat(keep.numBatches()).isEqualTo(3);
        assertThat(drop.numBatches()).isEqualTo(2);
        List<Batch> kept = new ArrayList<>();
        keep.forEach(kept::add);
        assertThat(kept).hasSize(3);
        assertThat(kept.get(2).batchSize()).isEqualTo(1);
        assertThat(kept.get(2).inputs()).containsExactly(16, 17, 18, 19);
        assertThat(rowStarts(drop)).containsExactly(0, 4, 8, 12);
    }

    @Test
    void shuffleVisitsEveryWindowOncePerEpochAndIsSeeded() {
        SlidingWindowDataset windows = dataset(200, 3, 1);
        List<Integer> all = IntStream.range(0, windows.size()).boxed().toList();
        DataLoader a = new DataLoader(windows, 8, true, false, 42);
        DataLoader b = new DataLoader(windows, 8, true, false, 42);
        List<Integer> epoch1 = rowStarts(a), epoch2 = rowStarts(a);
        assertThat(epoch1).containsExactlyInAnyOrderElementsOf(all).isNotEqualTo(all);
        assertThat(epoch2).containsExactlyInAnyOrderElementsOf(all).isNotEqualTo(epoch1);
        assertThat(rowStarts(b)).isEqualTo(epoch1);
        assertThat(rowStarts(b)).isEqualTo(epoch2);
        assertThat(rowStarts(new DataLoader(windows, 8, true, false, 43))).isNotEqualTo(epoch1);
    }

    @Test
    void noCompleteBatchWithDropLastIsAnError() {
        assertThatThrownBy(() -> new DataLoader(dataset(10, 4, 4), 4, true, true, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fewer than the batch size 4");
    }
}
