package dev.jllm.train;

import dev.jllm.data.Batch;
import java.util.Iterator;
import java.util.List;

/**
 * What a {@link Trainer} learns from: batches of inputs and next-token targets (−100 where the loss skips), for
 * pretraining windows of a text ({@link WindowData}) or collated examples such as instructions.
 */
public interface TrainingData {

    /** Training batches in one epoch. */
    int batchesPerEpoch();

    /** The training batches of one epoch, in an order that depends on {@code seed} alone. */
    Iterator<Batch> epoch(long seed);

    /**
     * At most the first {@code batches} batches of the training data ({@code validation} false) or of the validation
     * data, in a fixed order, for evaluation; empty when there is no such data.
     */
    List<Batch> evaluation(boolean validation, int batches);

    /** The training data in words, for the error when it gives less than one optimizer step. */
    String describe();
}
