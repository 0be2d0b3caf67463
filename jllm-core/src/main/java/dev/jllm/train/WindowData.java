package dev.jllm.train;

import dev.jllm.data.Batch;
import dev.jllm.data.DataLoader;
import dev.jllm.data.SlidingWindowDataset;
import dev.jllm.data.TokenSequence;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Pretraining data: windows of {@code contextLength} tokens of a text, every {@code stride} tokens (chapter 5). */
public final class WindowData implements NextTokenData {
    private final SlidingWindowDataset train;
    /** null when the validation text is shorter than one window */
    private final SlidingWindowDataset val;
    private final int batchSize;

    public WindowData(TokenSequence train, TokenSequence val, int contextLength, int stride, int batchSize) {
        if (train.length() < contextLength + 1) {
            throw new IllegalArgumentException("the training text has " + train.length()
                    + " tokens, fewer than one window of context " + contextLength + " + 1");
        }
        this.train = new SlidingWindowDataset(train, contextLength, stride);
        this.val = val.length() >= contextLength + 1 ? new SlidingWindowDataset(val, contextLength, stride) : null;
        this.batchSize = batchSize;
    }

    @Override
    public int batchesPerEpoch() {
        return train.size() / batchSize;
    }

    @Override
    public Iterator<Batch> epoch(long seed) {
        return new DataLoader(train, batchSize, true, true, seed).iterator();
    }

    @Override
    public List<Batch> evaluation(boolean validation, int batches) {
        SlidingWindowDataset set = validation ? val : train;
        List<Batch> out = new ArrayList<>();
        if (set == null) return out;
        Iterator<Batch> it = new DataLoader(set, batchSize, false, false, 0L).iterator();
        while (out.size() < batches && it.hasNext()) out.add(it.next());
        return out;
    }

    @Override
    public String describe() {
        return "the training text gives " + train.size() + " windows of " + train.maxLength() + " tokens";
    }
}
