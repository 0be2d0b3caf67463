package dev.jllm.finetune.instruct;

import dev.jllm.data.Batch;
import dev.jllm.data.Batches;
import dev.jllm.train.NextTokenData;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Instruction finetuning as next-token training: the training and validation entries, collated by the book's
 * {@link InstructionCollator} (targets −100 on padding, and on the prompt with {@code maskPrompt}) or, for a model's
 * chat template, by {@link ChatCollator} (targets −100 everywhere but the assistant's replies).
 *
 * @param <E> an encoded entry
 */
public final class InstructionData<E> implements NextTokenData {

    /** Puts encoded entries together into one batch. */
    @FunctionalInterface
    public interface Collator<E> {
        Batch collate(List<E> batch);
    }

    private final List<E> train;
    private final List<E> val;
    private final Collator<E> collator;
    private final int batchSize;

    public InstructionData(List<E> train, List<E> val, Collator<E> collator, int batchSize) {
        this.train = List.copyOf(train);
        this.val = List.copyOf(val);
        this.collator = collator;
        this.batchSize = batchSize;
    }

    @Override
    public int batchesPerEpoch() {
        return train.size() / batchSize;
    }

    /** Shuffled with {@code seed}, the last short batch dropped (the book's training loader). */
    @Override
    public Iterator<Batch> epoch(long seed) {
        return Batches.collate(train, batchSize, new Random(seed), true, collator::collate).iterator();
    }

    /** In file order, every entry kept (the book's validation loader). */
    @Override
    public List<Batch> evaluation(boolean validation, int batches) {
        List<E> data = validation ? val : train;
        int n = Math.min(data.size(), batches * batchSize);
        return Batches.collate(data.subList(0, n), batchSize, null, false, collator::collate);
    }

    @Override
    public String describe() {
        return "the training split has " + train.size() + " entries";
    }
}
