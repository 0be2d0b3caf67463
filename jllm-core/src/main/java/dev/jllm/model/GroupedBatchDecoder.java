package dev.jllm.model;

import dev.jllm.kernels.Parallel;
import java.util.Arrays;

/**
 * The {@link BatchDecoder} of a {@link DecoderModel} (Llama 3.2, Qwen3, Gemma 3): the forward pass of
 * {@link GroupedDecoder} ({@link DecoderPass}) over the rows of a step at once. Every product streams the weights
 * once for all rows (float32 or bfloat16, {@link DecoderWeights#linearRows}), each row computed as it would be alone;
 * RMSNorm, q/k norms and the rotary embedding are per row at the row's own position; attention runs per row over its
 * sequence's {@link PagedKvCache} blocks, which hold only the key/value heads (grouped-query attention), and a
 * sliding-window layer attends over the last {@code window} positions only.
 */
public final class GroupedBatchDecoder extends BatchDecoder {
    private final DecoderConfig c;
    private final DecoderPass pass;
    private final int kvDim;

    /** A decoder reading {@code weights} in place, keeping its keys and values in {@code cache}. */
    public GroupedBatchDecoder(DecoderWeights weights, PagedKvCache cache) {
        super(cache);
        this.c = weights.config();
        this.kvDim = c.nKvHeads() * c.headDim();
        if (cache.kvDim() != kvDim) {
            throw new IllegalArgumentException("the KV pool is " + cache.kvDim() + " wide, the model's key/value heads "
                    + kvDim);
        }
        this.pass = new DecoderPass(weights, true);
    }

    @Override
    public float[] step(int[] ids, PagedKvCache.Sequence[] sequences, int[] positions, int rows, int[] logitRows,
                        int count) {
        int seen = lastPosition(positions, rows, c.maxPositions()) + 1;
        int[] rowIds = ids.length == rows ? ids : Arrays.copyOf(ids, rows);
        float[] x = pass.layers(rowIds, positions, rows, (l, q, k, v) -> {
            for (int r = 0; r < rows; r++) cache.write(sequences[r], l, positions[r], k, r * kvDim, v, r * kvDim);
            return attention(l, q, sequences, positions, rows, seen);
        });
        return pass.logits(x, logitRows, count);
    }

    /** Each row's queries [heads·hd] against its own sequence's cache: [rows, heads·hd]. */
    private float[] attention(int layer, float[] q, PagedKvCache.Sequence[] sequences, int[] positions, int rows,
                              int seen) {
        int qDim = c.nHeads() * c.headDim(), window = c.sliding(layer) ? c.slidingWindow() : 0;
        float scale = c.attentionScale();
        float[] out = new float[rows * qDim];
        Parallel.forRange(rows, (r0, r1) -> {
            float[] scores = new float[seen];
            for (int r = r0; r < r1; r++) {
                cache.attend(sequences[r], layer, positions[r], q, r * qDim, out, r * qDim, c.nHeads(), c.headDim(),
                        scale, window, scores);
            }
        });
        return out;
    }
}
