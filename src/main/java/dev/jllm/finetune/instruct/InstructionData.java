package dev.jllm.finetune.instruct;

import dev.jllm.data.Batch;
import dev.jllm.train.NextTokenData;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Instruction finetuning as next-token training: the training and validation entries, collated by the book's
 * {@link InstructionCollator} (targets −100 on padding, and on the prompt with {@code maskPrompt}).
 */
public final class InstructionData implements NextTokenData {
    private final List<EncodedInstruction> train;
    private final List<EncodedInstruction> val;
    private final InstructionCollator collator;
    private final int batchSize;

    public InstructionData(List<EncodedInstruction> train, List<EncodedInstruction> val, InstructionCollator collator,
                           int batchSize) {
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
        return collator.batches(train, batchSize, new Random(seed), true).iterator();
    }

    /** In file order, every entry kept (the book's validation loader). */
    @Override
    public List<Batch> evaluation(boolean validation, int batches) {
        List<EncodedInstruction> data = validation ? val : train;
        int n = Math.min(data.size(), batches * batchSize);
        return collator.batches(data.subList(0, n), batchSize, null, false);
    }

    @Override
    public String describe() {
        return "the training split has " + train.size() + " entries";
    }
}
