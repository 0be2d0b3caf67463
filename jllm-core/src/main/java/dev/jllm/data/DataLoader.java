package dev.jllm.data;

import java.util.Iterator;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * Batches of a {@link SlidingWindowDataset}, like PyTorch's {@code DataLoader(batch_size, shuffle, drop_last)}.
 *
 * <p>Each call to {@link #iterator()} is one epoch. With shuffling, every epoch draws a fresh permutation from the
 * loader's generator, so the same seed gives the same sequence of epochs. Without {@code dropLast} the last batch
 * of an epoch may be smaller.
 */
public final class DataLoader implements Iterable<Batch> {
    private final SlidingWindowDataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final RandomGenerator random;

    public DataLoader(SlidingWindowDataset dataset, int batchSize, boolean shuffle, boolean dropLast, RandomGenerator random) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (dropLast && dataset.size() < batchSize) {
            throw new IllegalArgumentException("no complete batch: the dataset has " + dataset.size()
                    + " windows, fewer than the batch size " + batchSize + " (drop-last is on)");
        }
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.random = random;
    }

    /** A loader whose shuffling is seeded with {@code seed}. */
    public DataLoader(SlidingWindowDataset dataset, int batchSize, boolean shuffle, boolean dropLast, long seed) {
        this(dataset, batchSize, shuffle, dropLast, new Random(seed));
    }

    /** Batches per epoch. */
    public int numBatches() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    public SlidingWindowDataset dataset() {
        return dataset;
    }

    @Override
    public Iterator<Batch> iterator() {
        Iterator<int[]> batches = Batches.indices(dataset.size(), batchSize, shuffle ? random : null, dropLast).iterator();
        int length = dataset.maxLength();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return batches.hasNext();
            }

            @Override
            public Batch next() {
                int[] windows = batches.next();
                int rows = windows.length;
                int[] inputs = new int[rows * length], targets = new int[rows * length];
                for (int b = 0; b < rows; b++) dataset.copyInto(windows[b], inputs, targets, b * length);
                return new Batch(inputs, targets, rows, length);
            }
        };
    }
}
