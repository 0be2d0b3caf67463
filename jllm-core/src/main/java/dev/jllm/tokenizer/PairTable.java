package dev.jllm.tokenizer;

import java.util.Arrays;

/**
 * The merge rules as a hash table from a pair of token ids {@code (left, right)} to the rule's rank (its
 * priority: lower merges first) and the id of the merged token. Open addressing over primitive arrays, since
 * this look-up is the inner loop of BPE encoding.
 */
final class PairTable {
    /** Returned by {@link #get} for a pair that is not a merge rule. */
    static final long NONE = Long.MAX_VALUE;
    private static final long EMPTY = -1;

    private long[] keys;
    private long[] values;
    private int size;

    PairTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new long[capacity];
        Arrays.fill(keys, EMPTY);
    }

    private static long key(int left, int right) {
        return (long) left << 32 | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> 40) & (keys.length - 1);
    }

    /** Adds the rule {@code left right -> merged} with the given rank; a pair already present keeps its rule. */
    void put(int left, int right, int rank, int merged) {
        if (2 * (size + 1) > keys.length) grow();
        long k = key(left, right);
        int i = slot(k);
        while (keys[i] != EMPTY) {
            if (keys[i] == k) return;
            i = (i + 1) & (keys.length - 1);
        }
        keys[i] = k;
        values[i] = (long) rank << 32 | merged;
        size++;
    }

    /** {@code rank << 32 | merged} for the rule on this pair, or {@link #NONE}: compare values to compare ranks. */
    long get(int left, int right) {
        long k = key(left, right);
        int i = slot(k);
        long[] ks = keys;
        while (true) {
            long found = ks[i];
            if (found == k) return values[i];
            if (found == EMPTY) return NONE;
            i = (i + 1) & (ks.length - 1);
        }
    }

    static int rank(long value) {
        return (int) (value >>> 32);
    }

    static int merged(long value) {
        return (int) value;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new long[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                long k = oldKeys[i];
                put((int) (k >>> 32), (int) k, rank(oldValues[i]), merged(oldValues[i]));
            }
        }
    }
}
