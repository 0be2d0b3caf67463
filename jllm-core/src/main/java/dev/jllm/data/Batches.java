package dev.jllm.data;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The order in which a data loader visits a dataset, cut into batches of example indices: the one shuffle of every
 * loader (pretraining's windows in {@link DataLoader}, classification, instruction and preference examples).
 */
public final class Batches {
    private Batches() {}

    /**
     * Indices {@code 0..n-1}, shuffled when {@code shuffle} is non-null (Fisher–Yates with that generator), in
     * batches of {@code batchSize}; the last, shorter batch is dropped when {@code dropLast}.
     */
    public static List<int[]> indices(int n, int batchSize, RandomGenerator shuffle, boolean dropLast) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (shuffle != null) {
            for (int i = n - 1; i > 0; i--) {
                int j = shuffle.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        List<int[]> out = new ArrayList<>();
        for (int start = 0; start < n; start += batchSize) {
            int end = Math.min(n, start + batchSize);
            if (end - start < batchSize && dropLast) break;
            int[] b = new int[end - start];
            System.arraycopy(order, start, b, 0, b.length);
            out.add(b);
        }
        return out;
    }

    /** The items of each batch of {@link #indices}, put together by {@code collate}. */
    public static <T, B> List<B> collate(List<T> data, int batchSize, RandomGenerator shuffle, boolean dropLast,
                                         Function<List<T>, B> collate) {
        List<B> out = new ArrayList<>();
        for (int[] batch : indices(data.size(), batchSize, shuffle, dropLast)) {
            List<T> items = new ArrayList<>(batch.length);
            for (int i : batch) items.add(data.get(i));
            out.add(collate.apply(items));
        }
        return out;
    }
}
