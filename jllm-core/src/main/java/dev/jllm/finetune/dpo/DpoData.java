package dev.jllm.finetune.dpo;

import dev.jllm.model.CausalLM;
import dev.jllm.mpi.DataParallel;
import dev.jllm.tensor.Tensor;
import dev.jllm.train.MetricsLog;
import dev.jllm.train.TrainingData;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Preference pairs as training data for the {@link dev.jllm.train.Trainer}: the book's
 * {@code train_model_dpo_simple} loss, {@link DpoLoss} of the policy against a frozen reference model, and the reward
 * margin and reward accuracy beside the loss in every evaluation.
 */
public final class DpoData implements TrainingData<CausalLM, PreferenceBatch> {

    /** The further metrics.csv columns: {@code train_/val_reward_margin}, {@code train_/val_reward_accuracy}. */
    public static final List<String> METRICS = List.of("reward_margin", "reward_accuracy");
    /** A DPO run's metrics.csv: a language model's columns, then the reward margin and accuracy. */
    public static final MetricsLog.Columns COLUMNS = MetricsLog.Columns.tokens(METRICS);

    private final List<EncodedPreference> train;
    private final List<EncodedPreference> val;
    private final PreferenceCollator collator;
    private final int batchSize;
    private final CausalLM reference;
    private final float beta;

    /** @param reference the frozen reference model (in evaluation mode; it is never updated) */
    public DpoData(List<EncodedPreference> train, List<EncodedPreference> val, PreferenceCollator collator,
                   int batchSize, CausalLM reference, float beta) {
        this.train = List.copyOf(train);
        this.val = List.copyOf(val);
        this.collator = collator;
        this.batchSize = batchSize;
        this.reference = reference;
        this.beta = beta;
    }

    @Override
    public int batchesPerEpoch() {
        return train.size() / batchSize;
    }

    /** Shuffled with {@code seed}, the last short batch dropped. */
    @Override
    public Iterator<PreferenceBatch> epoch(long seed) {
        return collator.batches(train, batchSize, new Random(seed), true).iterator();
    }

    /** In file order. */
    @Override
    public List<PreferenceBatch> evaluation(boolean validation, int batches) {
        List<EncodedPreference> data = validation ? val : train;
        int n = Math.min(data.size(), batches * batchSize);
        return collator.batches(data.subList(0, n), batchSize, null, false);
    }

    @Override
    public String describe() {
        return "the training split has " + train.size() + " preference pairs";
    }

    /** The chosen and the rejected sequences. */
    @Override
    public long tokens(PreferenceBatch b) {
        return 2L * b.size() * b.length();
    }

    @Override
    public int rows(PreferenceBatch b) {
        return b.size();
    }

    /** This rank's pairs of a global batch, at the global batch's padded length. */
    @Override
    public PreferenceBatch shard(PreferenceBatch global, DataParallel parallel) {
        if (parallel.ranks() == 1) return global;
        int[] range = parallel.rowRange(global.size());
        int len = global.length(), from = range[0] * len, to = range[1] * len;
        return new PreferenceBatch(Arrays.copyOfRange(global.chosen(), from, to),
                Arrays.copyOfRange(global.chosenMask(), from, to), Arrays.copyOfRange(global.rejected(), from, to),
                Arrays.copyOfRange(global.rejectedMask(), from, to), range[1] - range[0], len);
    }

    @Override
    public String fingerprint(PreferenceBatch b) {
        return Arrays.hashCode(b.chosen()) + " " + Arrays.hashCode(b.rejected());
    }

    @Override
    public Tensor loss(CausalLM policy, PreferenceBatch b) {
        return DpoLoss.of(policy, reference, b, beta).loss();
    }

    @Override
    public List<String> metrics() {
        return METRICS;
    }

    @Override
    public double[] evaluate(CausalLM policy, PreferenceBatch b) {
        DpoLoss.Value v = DpoLoss.of(policy, reference, b, beta);
        return new double[] {v.loss().item(), v.margin(), v.accuracy()};
    }
}
