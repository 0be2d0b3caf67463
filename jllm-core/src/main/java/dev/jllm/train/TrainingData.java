package dev.jllm.train;

import dev.jllm.mpi.DataParallel;
import dev.jllm.nn.Module;
import dev.jllm.tensor.Tensor;
import java.util.Iterator;
import java.util.List;

/**
 * What a {@link Trainer} learns from, and how: the batches of the training and validation data, and the loss of a
 * batch. Next-token data ({@link NextTokenData}: windows of a text for pretraining, collated instructions) scores
 * the model's own loss; preference pairs score the DPO loss against a reference model; labelled texts score a
 * classifier's cross-entropy (and report its accuracy).
 *
 * @param <M> the model's type
 * @param <B> the batch type
 */
public interface TrainingData<M extends Module, B> {

    /** Training batches in one epoch. */
    int batchesPerEpoch();

    /** The training batches of one epoch, in an order that depends on {@code seed} alone. */
    Iterator<B> epoch(long seed);

    /**
     * The training batches of epoch {@code epoch} (from 0) of a run seeded with {@code runSeed}; the order must depend
     * on these two alone, so that a resumed run sees the batches an uninterrupted one would. By default an order drawn
     * from ({@code runSeed}, {@code epoch}).
     */
    default Iterator<B> epoch(long runSeed, int epoch) {
        return epoch(ResumableRandom.nth(runSeed, epoch));
    }

    /**
     * At most the first {@code batches} batches of the training data ({@code validation} false) or of the validation
     * data, in a fixed order, for evaluation; empty when there is no such data.
     */
    List<B> evaluation(boolean validation, int batches);

    /** The training data in words, for the error when it gives less than one optimizer step. */
    String describe();

    /** Tokens a batch feeds the model (padding included), for {@code tokens_seen} and the throughput. */
    long tokens(B batch);

    /** Examples (rows) in a batch. */
    int rows(B batch);

    /**
     * This process's rows of a global batch under mpirun ({@link DataParallel}); data that has no way to split its
     * batches trains in one process only.
     */
    default B shard(B global, DataParallel parallel) {
        if (parallel.ranks() == 1) return global;
        throw new UnsupportedOperationException("this training data (" + describe() + ") runs in one process only");
    }

    /** A digest of a batch's content, which every rank must compute alike (compared before the first step). */
    default String fingerprint(B batch) {
        return "";
    }

    /** The training loss of a batch, a scalar with its graph (the model's mode is the trainer's). */
    Tensor loss(M model, B batch);

    /**
     * Names of further metrics an evaluation reports beside the loss (such as DPO's {@code reward_margin}); each is
     * written to metrics.csv as {@code train_NAME} and {@code val_NAME}, after the standard columns.
     */
    default List<String> metrics() {
        return List.of();
    }

    /**
     * The loss of a batch in evaluation (evaluation mode, no autograd), followed by the values of {@link #metrics()}
     * in order; the trainer averages each over the evaluation batches.
     */
    default double[] evaluate(M model, B batch) {
        return new double[] {loss(model, batch).item()};
    }
}
