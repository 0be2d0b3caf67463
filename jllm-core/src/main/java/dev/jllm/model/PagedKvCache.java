package dev.jllm.model;

import dev.jllm.kernels.Elementwise;
import java.util.Arrays;

/**
 * The keys and values of many sequences in fixed-size blocks from one pool, as vLLM pages its cache: a sequence
 * holds a table of blocks that grows {@link #BLOCK_SIZE} positions at a time, so memory follows the tokens held
 * rather than batch × context. A block holds, for every layer, the keys and the values of its positions
 * ([layer][key|value][position in block][kvDim]); its array is made the first time the block is used and kept for
 * reuse. The pool belongs to one thread (the one that runs the batch).
 */
public final class PagedKvCache {
    /** Positions per block. */
    public static final int BLOCK_SIZE = 16;

    private final int layers;
    private final int kvDim;
    private final int blockFloats;
    private final float[][] blocks;
    /** Free block ids, a stack: the most recently freed (warm) block is reused first. */
    private final int[] free;
    private int freeCount;

    /** A pool of {@code blockCount} blocks for a model of {@code layers} layers whose keys are {@code kvDim} wide. */
    public PagedKvCache(int layers, int kvDim, int blockCount) {
        if (layers < 1 || kvDim < 1 || blockCount < 1) {
            throw new IllegalArgumentException("a KV pool needs layers, width and blocks >= 1, got " + layers + ", "
                    + kvDim + ", " + blockCount);
        }
        this.layers = layers;
        this.kvDim = kvDim;
        long floats = 2L * layers * BLOCK_SIZE * kvDim;
        if (floats > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("a KV block of " + floats + " floats");
        this.blockFloats = (int) floats;
        this.blocks = new float[blockCount][];
        this.free = new int[blockCount];
        for (int i = 0; i < blockCount; i++) free[i] = blockCount - 1 - i;
        this.freeCount = blockCount;
    }

    /** A pool for a model of {@code layers} layers and key width {@code kvDim}, holding {@code positions} in all. */
    public static PagedKvCache holding(int layers, int kvDim, long positions) {
        long blocks = Math.max(1, (positions + BLOCK_SIZE - 1) / BLOCK_SIZE);
        return new PagedKvCache(layers, kvDim, (int) Math.min(blocks, 1 << 24));
    }

    /** Blocks needed for {@code positions} positions. */
    public static int blocksFor(int positions) {
        return (positions + BLOCK_SIZE - 1) / BLOCK_SIZE;
    }

    /** One sequence's positions: its block table and how many positions it holds. */
    public final class Sequence {
        private int[] table = new int[4];
        private int blockCount;
        private int length;

        /** Positions written so far (0 … length−1). */
        public int length() {
            return length;
        }

        /** Positions its blocks can hold. */
        public int capacity() {
            return blockCount * BLOCK_SIZE;
        }

        /** Marks positions up to {@code length} as written (their keys and values are in place). */
        public void setLength(int length) {
            if (length < 0 || length > capacity()) {
                throw new IllegalArgumentException("length " + length + " outside 0 … " + capacity());
            }
            this.length = length;
        }

        /** The block that holds {@code position}. */
        int block(int position) {
            return table[position / BLOCK_SIZE];
        }
    }

    public Sequence open() {
        return new Sequence();
    }

    /**
     * Gives {@code s} blocks for {@code positions} positions in all; false (and nothing taken) when the pool has too
     * few free blocks.
     */
    public boolean reserve(Sequence s, int positions) {
        int need = blocksFor(positions) - s.blockCount;
        if (need <= 0) return true;
        if (need > freeCount) return false;
        if (s.table.length < s.blockCount + need) s.table = Arrays.copyOf(s.table, Math.max(2 * s.table.length, s.blockCount + need));
        for (int i = 0; i < need; i++) {
            int b = free[--freeCount];
            if (blocks[b] == null) blocks[b] = new float[blockFloats];
            s.table[s.blockCount++] = b;
        }
        return true;
    }

    /** Returns every block of {@code s} to the pool. */
    public void release(Sequence s) {
        for (int i = 0; i < s.blockCount; i++) free[freeCount++] = s.table[i];
        s.blockCount = 0;
        s.length = 0;
    }

    public int blocksTotal() {
        return blocks.length;
    }

    public int blocksFree() {
        return freeCount;
    }

    /** Blocks whose arrays exist (memory the pool holds now). */
    public int blocksAllocated() {
        int n = 0;
        for (float[] b : blocks) if (b != null) n++;
        return n;
    }

    /** Bytes of one block. */
    public long blockBytes() {
        return 4L * blockFloats;
    }

    public int kvDim() {
        return kvDim;
    }

    private int keyAt(int layer, int position) {
        return ((2 * layer) * BLOCK_SIZE + position % BLOCK_SIZE) * kvDim;
    }

    private int valueAt(int layer, int position) {
        return ((2 * layer + 1) * BLOCK_SIZE + position % BLOCK_SIZE) * kvDim;
    }

    /** Stores the key and value of {@code s}'s position {@code p} in {@code layer} (kvDim floats each). */
    public void write(Sequence s, int layer, int p, float[] key, int keyOff, float[] value, int valueOff) {
        if (p >= s.capacity()) throw new IllegalStateException("position " + p + " beyond the blocks reserved");
        float[] block = blocks[s.block(p)];
        System.arraycopy(key, keyOff, block, keyAt(layer, p), kvDim);
        System.arraycopy(value, valueOff, block, valueAt(layer, p), kvDim);
    }

    /**
     * Causal attention of one query at position {@code p} of {@code s} over positions 0 … p of {@code layer}, or
     * over the last {@code window} of them (0: all): q [nHeads · headDim] at qOff → out [nHeads · headDim] at outOff,
     * softmax(scale · q·kᵀ) · v per head; query head h reads key/value head h / (nHeads / nKvHeads) (grouped-query
     * attention when nKvHeads < nHeads). {@code scores} is scratch of at least p+1 floats. The result depends on
     * this row alone, never on the batch.
     */
    public void attend(Sequence s, int layer, int p, float[] q, int qOff, float[] out, int outOff, int nHeads,
                       int headDim, float scale, int window, float[] scores) {
        int nKvHeads = kvDim / headDim, group = nHeads / nKvHeads;
        int first = window > 0 ? Math.max(0, p - window + 1) : 0;
        for (int h = 0; h < nHeads; h++) {
            int kvHead = h / group, qAt = qOff + h * headDim;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = first; j <= p; j++) {
                float[] block = blocks[s.block(j)];
                float d = Elementwise.dot(q, qAt, block, keyAt(layer, j) + kvHead * headDim, headDim) * scale;
                scores[j] = d;
                if (d > max) max = d;
            }
            float sum = 0;
            for (int j = first; j <= p; j++) sum += scores[j] = (float) Math.exp(scores[j] - max);
            float inv = 1f / sum;
            int oAt = outOff + h * headDim;
            Arrays.fill(out, oAt, oAt + headDim, 0f);
            for (int j = first; j <= p; j++) {
                float[] block = blocks[s.block(j)];
                Elementwise.axpy(scores[j] * inv, block, valueAt(layer, j) + kvHead * headDim, out, oAt, headDim);
            }
        }
    }
}
