package dev.jllm.model;

import dev.jllm.kernels.AttentionKernel;

/**
 * The forward pass of a {@link dev.jllm.model.DecoderModel} (Llama, Qwen3, Gemma 3) for decoding one sequence
 * ({@link DecoderPass}) with a key/value cache of its own, reading its {@link DecoderWeights} in place.
 *
 * <p>The cache holds only the key/value heads (grouped-query attention: a quarter or less of the query width), and
 * a sliding-window layer keeps only its last {@code window} positions, as a ring: position p lives in row
 * p mod window, and a decode step attends over the ring as it is (attention does not depend on the keys' order,
 * and the rotary embedding is already in the keys). A prefill that wraps the ring gathers the window's keys in
 * order first. {@link #append} takes several tokens at once (the prompt) or one (a decode step).
 */
public final class GroupedDecoder extends PositionedDecoder {
    private final DecoderConfig c;
    private final int kvDim;
    /** [layer][rows · kvDim]; rows is the capacity, or the window of a sliding layer when smaller. */
    private final float[][] keys;
    private final float[][] values;
    private final int[] rows;
    private final DecoderPass pass;

    /** A decoder whose cache holds up to {@code capacity} positions (at most the model's context). */
    public GroupedDecoder(DecoderWeights weights, int capacity) {
        super(capacity, weights.config().maxPositions());
        this.c = weights.config();
        this.kvDim = c.nKvHeads() * c.headDim();
        this.keys = new float[c.nLayers()][];
        this.values = new float[c.nLayers()][];
        this.rows = new int[c.nLayers()];
        for (int l = 0; l < c.nLayers(); l++) {
            rows[l] = c.sliding(l) ? Math.min(c.slidingWindow(), capacity) : capacity;
            keys[l] = new float[rows[l] * kvDim];
            values[l] = new float[rows[l] * kvDim];
        }
        this.pass = new DecoderPass(weights, false);
    }

    /**
     * Forgets the positions from {@code length} on. A sliding-window layer whose ring has already overwritten
     * positions that {@code length} would need again cannot go back (except to 0): that is an error.
     */
    @Override
    public void crop(int length) {
        checkCrop(length);
        if (length > 0 && length < this.length) {
            for (int r : rows) {
                if (r < capacity && this.length > r) {
                    throw new IllegalArgumentException("cannot crop a sliding-window KV cache of " + this.length
                            + " positions back to " + length + ": its window of " + r + " has moved on");
                }
            }
        }
        this.length = length;
    }

    /** Floats the cache holds, over all layers (keys and values). */
    public long cacheFloats() {
        long n = 0;
        for (float[] k : keys) n += 2L * k.length;
        return n;
    }

    /**
     * Runs {@code ids} at positions length … length+n−1, adds their keys and values to the cache, and returns the
     * logits [vocab] that follow the last of them.
     */
    @Override
    public float[] append(int... ids) {
        int n = ids.length, start = length;
        checkRoom(n);
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) positions[i] = start + i;
        float[] x = pass.layers(ids, positions, n, (l, q, k, v) -> attention(l, q, k, v, n, start));
        length = start + n;
        return pass.logits(x, new int[] {n - 1}, 1);
    }

    /**
     * Causal attention of the n new queries (positions start … start+n−1) over the cache, after adding their keys
     * and values to it. Returns [n, heads·hd].
     */
    private float[] attention(int l, float[] q, float[] k, float[] v, int n, int start) {
        int qDim = c.nHeads() * c.headDim(), window = c.sliding(l) ? c.slidingWindow() : 0, ring = rows[l];
        float[] out = new float[n * qDim];
        if (start + n <= ring) { // no wrap: row p is position p
            System.arraycopy(k, 0, keys[l], start * kvDim, n * kvDim);
            System.arraycopy(v, 0, values[l], start * kvDim, n * kvDim);
            AttentionKernel.forward(q, keys[l], values[l], out, null, dims(n, start + n, window), 0f, 0L);
            return out;
        }
        if (n == 1) { // the ring holds exactly the window this query sees, once the new key is in it
            System.arraycopy(k, 0, keys[l], (start % ring) * kvDim, kvDim);
            System.arraycopy(v, 0, values[l], (start % ring) * kvDim, kvDim);
            AttentionKernel.forward(q, keys[l], values[l], out, null, dims(1, ring, 0), 0f, 0L);
            return out;
        }
        // a prefill that wraps: the earlier positions still in the window, in order, then the new ones
        int old = Math.min(start, ring - 1);
        float[] kk = new float[(old + n) * kvDim], vv = new float[(old + n) * kvDim];
        for (int i = 0; i < old; i++) {
            int pos = start - old + i;
            System.arraycopy(keys[l], (pos % ring) * kvDim, kk, i * kvDim, kvDim);
            System.arraycopy(values[l], (pos % ring) * kvDim, vv, i * kvDim, kvDim);
        }
        System.arraycopy(k, 0, kk, old * kvDim, n * kvDim);
        System.arraycopy(v, 0, vv, old * kvDim, n * kvDim);
        AttentionKernel.forward(q, kk, vv, out, null, dims(n, old + n, window), 0f, 0L);
        for (int i = Math.max(0, n - ring); i < n; i++) {
            int pos = start + i;
            System.arraycopy(k, i * kvDim, keys[l], (pos % ring) * kvDim, kvDim);
            System.arraycopy(v, i * kvDim, values[l], (pos % ring) * kvDim, kvDim);
        }
        return out;
    }

    private AttentionKernel.Dims dims(int tq, int tk, int window) {
        return new AttentionKernel.Dims(1, tq, tk, c.nHeads(), c.nKvHeads(), c.headDim(), c.attentionScale(), window);
    }
}
