package dev.jllm.model;

/**
 * The bookkeeping every {@link KVCacheDecoder} keeps alike: how many positions its cache holds ({@link #length()}),
 * out of how many ({@link #capacity()}, at most the model's context), and the checks on a crop and an append.
 * Subclasses hold the cache itself and run the model.
 */
abstract class PositionedDecoder implements KVCacheDecoder {
    protected final int capacity;
    protected int length;

    /** @param context the model's longest sequence, which the capacity may not exceed */
    PositionedDecoder(int capacity, int context) {
        if (capacity < 1 || capacity > context) {
            throw new IllegalArgumentException("KV cache capacity " + capacity + " is outside 1 .. the context length "
                    + context);
        }
        this.capacity = capacity;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    /** Refuses a crop to a negative length or beyond the positions held. */
    protected final void checkCrop(int to) {
        if (to < 0 || to > length) {
            throw new IllegalArgumentException("cannot crop a KV cache of " + length + " positions to " + to);
        }
    }

    /** Refuses an append of no tokens, or of more than the cache has room for. */
    protected final void checkRoom(int tokens) {
        if (tokens == 0) throw new IllegalArgumentException("no tokens to append");
        if (length + tokens > capacity) {
            throw new IllegalStateException("KV cache full: " + length + " + " + tokens + " positions exceed the context "
                    + capacity);
        }
    }
}
