package dev.jllm.model;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The {@link BatchDecoder} of an architecture that has no batched forward pass of its own: each sequence's rows of
 * a step run through that sequence's own {@link KVCacheDecoder} (sized to the positions its blocks reserve), so
 * continuous batching, sampling and cancellation work for every {@link CausalLM}, at the speed of decoding the
 * sequences one after another (the weights are read once per sequence, not once per step).
 */
final class SequentialBatchDecoder extends BatchDecoder {
    private final CausalLM model;
    private final Map<PagedKvCache.Sequence, KVCacheDecoder> decoders = new IdentityHashMap<>();

    SequentialBatchDecoder(CausalLM model, PagedKvCache cache) {
        super(cache);
        this.model = model;
    }

    @Override
    public float[] step(int[] ids, PagedKvCache.Sequence[] sequences, int[] positions, int rows, int[] logitRows,
                        int count) {
        int vocab = model.config().vocabSize();
        float[] logits = new float[count * vocab];
        int[] slot = new int[rows];
        Arrays.fill(slot, -1);
        for (int i = 0; i < count; i++) slot[logitRows[i]] = i;
        for (int r = 0; r < rows; ) {
            PagedKvCache.Sequence s = sequences[r];
            int end = r;
            while (end < rows && sequences[end] == s) end++;
            KVCacheDecoder decoder = decoders.computeIfAbsent(s, k -> model.decoder(
                    Math.min(model.config().contextLength(), k.capacity()), null));
            if (decoder.length() != positions[r]) {
                throw new IllegalStateException("rows of a sequence must follow the positions it holds: "
                        + positions[r] + " after " + decoder.length());
            }
            float[] last = decoder.append(Arrays.copyOfRange(ids, r, end));
            if (slot[end - 1] >= 0) System.arraycopy(last, 0, logits, slot[end - 1] * vocab, vocab);
            r = end;
        }
        return logits;
    }

    @Override
    public void release(PagedKvCache.Sequence sequence) {
        decoders.remove(sequence);
    }
}
