package dev.jllm.tokenizer;

/**
 * Byte pair encoding of one piece: starting from one token per byte, repeatedly merge the adjacent pair
 * whose rule has the lowest rank (the leftmost one on a tie) until no adjacent pair has a rule.
 *
 * <p>Two algorithms give the same result. Short pieces (almost all of them) use an array with one rank per
 * adjacent pair, scanned for the minimum: O(n²) but tiny constants. Long pieces use a linked list and a heap
 * of {@code (rank, position)} with stale entries skipped when popped: O(n log n), so a 100 KB "word" stays fast.
 *
 * <p>Not thread-safe: one merger per thread (it keeps scratch arrays between calls).
 */
final class BytePairMerger {
    /** Pieces longer than this use the heap. */
    static final int HEAP_THRESHOLD = 64;

    private final PairTable rules;
    private long[] pairs = new long[HEAP_THRESHOLD];
    // heap path scratch
    private int[] next = new int[0];
    private int[] prev = new int[0];
    private long[] heap = new long[0];

    BytePairMerger(PairTable rules) {
        this.rules = rules;
    }

    /** Merges {@code ids[0, n)} in place and returns the number of tokens left in {@code ids[0, result)}. */
    int merge(int[] ids, int n) {
        return n > HEAP_THRESHOLD ? mergeWithHeap(ids, n) : mergeWithArray(ids, n);
    }

    int mergeWithArray(int[] ids, int n) {
        if (n < 2) return n;
        if (pairs.length < n) pairs = new long[n];
        long[] pair = pairs; // pair[i] = rule value of (ids[i], ids[i + 1])
        for (int i = 0; i < n - 1; i++) pair[i] = rules.get(ids[i], ids[i + 1]);
        while (n > 1) {
            int best = 0;
            long bestValue = pair[0];
            for (int i = 1; i < n - 1; i++) {
                if (pair[i] < bestValue) {
                    bestValue = pair[i];
                    best = i;
                }
            }
            if (bestValue == PairTable.NONE) break;
            ids[best] = PairTable.merged(bestValue);
            System.arraycopy(ids, best + 2, ids, best + 1, n - best - 2);
            System.arraycopy(pair, best + 2, pair, best + 1, n - best - 3 > 0 ? n - best - 3 : 0);
            n--;
            if (best > 0) pair[best - 1] = rules.get(ids[best - 1], ids[best]);
            if (best < n - 1) pair[best] = rules.get(ids[best], ids[best + 1]);
        }
        return n;
    }

    int mergeWithHeap(int[] ids, int n) {
        if (n < 2) return n;
        if (next.length < n) {
            next = new int[n];
            prev = new int[n];
            heap = new long[n];
        }
        int size = 0;
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        for (int i = 0; i < n - 1; i++) {
            long v = rules.get(ids[i], ids[i + 1]);
            if (v != PairTable.NONE) size = push(size, entry(v, i));
        }
        // ids[i] stays the token at node i; a node merged into its left neighbour gets prev[i] = -2 (dead)
        while (size > 0) {
            long top = heap[0];
            size = pop(size);
            int at = (int) top;
            int right = next[at];
            if (prev[at] == -2 || right < 0) continue;
            long v = rules.get(ids[at], ids[right]);
            if (v == PairTable.NONE || PairTable.rank(v) != (int) (top >>> 32)) continue; // stale entry
            ids[at] = PairTable.merged(v);
            int after = next[right];
            next[at] = after;
            if (after >= 0) prev[after] = at;
            prev[right] = -2;
            int before = prev[at];
            if (before >= 0) {
                long w = rules.get(ids[before], ids[at]);
                if (w != PairTable.NONE) size = push(size, entry(w, before));
            }
            if (after >= 0) {
                long w = rules.get(ids[at], ids[after]);
                if (w != PairTable.NONE) size = push(size, entry(w, at));
            }
        }
        int count = 0;
        for (int i = 0; i >= 0; i = next[i]) ids[count++] = ids[i];
        return count;
    }

    /** Heap entry: the rule's rank, then the position of the pair's left node (ties go to the leftmost). */
    private static long entry(long ruleValue, int position) {
        return (long) PairTable.rank(ruleValue) << 32 | position;
    }

    private int push(int size, long e) {
        if (size == heap.length) heap = java.util.Arrays.copyOf(heap, size * 2 + 1);
        int i = size;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= e) break;
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = e;
        return size + 1;
    }

    private int pop(int size) {
        long last = heap[--size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) break;
            if (child + 1 < size && heap[child + 1] < heap[child]) child++;
            if (heap[child] >= last) break;
            heap[i] = heap[child];
            i = child;
        }
        if (size > 0) heap[i] = last;
        return size;
    }
}
