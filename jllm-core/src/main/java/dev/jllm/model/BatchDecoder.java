package dev.jllm.model;

/**
 * A model's forward pass for continuous batching: one {@link #step} advances many sequences at once, each by one
 * token (decoding) or by a chunk of its prompt (prefill), over the keys and values that a {@link PagedKvCache}
 * holds for each. The products are matrix-matrix over all rows of the step, so the weights stream from memory
 * once per step rather than once per sequence; attention runs per row over its own sequence's cache. A row is
 * computed the same way whatever the other rows of the step. A decoder belongs to one thread.
 */
public abstract class BatchDecoder {
    /** The pool that holds the sequences' keys and values. */
    protected final PagedKvCache cache;

    protected BatchDecoder(PagedKvCache cache) {
        this.cache = cache;
    }

    /** The pool that holds the sequences' keys and values. */
    public final PagedKvCache cache() {
        return cache;
    }

    /**
     * Runs row r = token {@code ids[r]} at position {@code positions[r]} of sequence {@code sequences[r]}, for r in
     * [0, rows): writes each row's keys and values into its sequence's blocks (which must be reserved), attends
     * causally over positions 0 … positions[r] of that sequence, and returns the logits that follow the rows
     * {@code logitRows[0 … count)}, [count, vocab] row-major. The rows of one sequence come in increasing, gapless
     * positions after those it holds; the caller then advances {@link PagedKvCache.Sequence#setLength}.
     */
    public abstract float[] step(int[] ids, PagedKvCache.Sequence[] sequences, int[] positions, int rows,
                                 int[] logitRows, int count);

    /** Forgets what the decoder keeps for {@code sequence} beside the pool (it left the batch). */
    public void release(PagedKvCache.Sequence sequence) {}

    /** The last of the rows' positions, each checked to lie inside a context of {@code context} positions. */
    protected static int lastPosition(int[] positions, int rows, int context) {
        int last = 0;
        for (int r = 0; r < rows; r++) {
            if (positions[r] < 0 || positions[r] >= context) {
                throw new IllegalArgumentException("position " + positions[r] + " outside the context of " + context);
            }
            last = Math.max(last, positions[r]);
        }
        return last;
    }
}
