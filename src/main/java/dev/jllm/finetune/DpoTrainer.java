package dev.jllm.finetune;

import dev.jllm.model.GptModel;
import dev.jllm.mpi.DataParallel;
import dev.jllm.optim.AdamW;
import dev.jllm.tensor.NoGrad;
import dev.jllm.tensor.Workspace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The book's {@code train_model_dpo_simple}: AdamW on the policy, one step per batch of shuffled preference pairs,
 * the reference model frozen (a copy of the starting policy, never updated, run without autograd). Every
 * {@code evalEvery} steps, loss, reward margin and reward accuracy on the first batches of the training and the
 * validation pairs, in evaluation mode.
 *
 * <p>Under mpirun ({@link DataParallel}) each step's batch is ranks × {@code batchSize} pairs of the same shuffled
 * order, each rank trains on its pairs and the gradients are averaged over the ranks; rank 0 alone evaluates (on
 * batches of that global size) and reports, the others get null rows.
 */
public final class DpoTrainer {

    /** Mean DPO loss, reward margin (chosen − rejected) and reward accuracy over some batches. */
    public record Evaluation(double loss, double rewardMargin, double rewardAccuracy) {}

    /** One periodic evaluation. */
    public record Row(long step, int epoch, long pairsSeen, Evaluation train, Evaluation val) {}

    private final GptModel policy;
    private final GptModel reference;
    private final List<EncodedPreference> train;
    private final List<EncodedPreference> val;
    private final DpoConfig config;
    private final PreferenceCollator collator;
    private final AdamW optimizer;
    /** Lends each batch's activations and intermediate gradients to the next. */
    private final Workspace workspace = new Workspace();
    private final DataParallel parallel = DataParallel.current();

    /**
     * @param policy the model to tune (the SFT model); the reference is a frozen copy of it as it is now
     * @param padId  the padding id: the tokenizer's end token (50256 for GPT-2)
     */
    public DpoTrainer(GptModel policy, List<EncodedPreference> train, List<EncodedPreference> val, DpoConfig config,
                      int padId) {
        int global = config.batchSize() * parallel.ranks();
        if (train.size() < global) {
            throw new IllegalArgumentException("the training split has " + train.size()
                    + " preference pairs, fewer than one batch of " + global + " (use a smaller --batch)");
        }
        this.policy = policy;
        this.reference = GptModel.fromStateDict(policy.config, policy.stateDict());
        reference.freeze();
        reference.eval();
        this.train = train;
        this.val = val;
        this.config = config;
        this.collator = new PreferenceCollator(padId,
                Math.min(config.maxLength(), policy.config.contextLength()));
        this.optimizer = new AdamW(policy.trainableParameters(), AdamW.Options.withWeightDecay(config.weightDecay()));
    }

    /** Trains; {@code onEval} receives each evaluation, the first before any step. Returns the last one. */
    public Row run(Consumer<Row> onEval) {
        Random shuffle = new Random(config.seed());
        long step = 0, seen = 0;
        parallel.start(policy.namedParameters(), config + "\n" + train.size() + " " + val.size());
        Row last;
        try (DataParallel.Gradients gradients = parallel.gradients(new ArrayList<>(optimizer.parameters().values()))) {
            last = evaluated(onEval, 0, 0, 0);
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                for (PreferenceBatch b : collator.batches(train, config.batchSize() * parallel.ranks(), shuffle, true)) {
                    policy.train();
                    optimizer.zeroGrad();
                    try (Workspace.Scope batch = workspace.open()) {
                        DpoLoss.Value v = DpoLoss.of(policy, reference, shard(b), (float) config.beta());
                        double loss = v.loss().item();
                        if (!Double.isFinite(loss)) {
                            throw new IllegalStateException("DPO loss is " + loss + " at step " + (step + 1)
                                    + "; try a lower --lr");
                        }
                        gradients.backward(v.loss());
                    }
                    optimizer.step(config.lr());
                    step++;
                    seen += b.size();
                    if (step % config.evalEvery() == 0) last = evaluated(onEval, step, epoch, seen);
                }
            }
        }
        if (step % config.evalEvery() != 0) last = evaluated(onEval, step, config.epochs(), seen);
        policy.eval();
        return last;
    }

    /** This rank's pairs of a global batch. */
    private PreferenceBatch shard(PreferenceBatch b) {
        if (parallel.ranks() == 1) return b;
        int[] r = parallel.rowRange(b.size());
        int len = b.length(), from = r[0] * len, to = r[1] * len;
        return new PreferenceBatch(Arrays.copyOfRange(b.chosen(), from, to), Arrays.copyOfRange(b.chosenMask(), from, to),
                Arrays.copyOfRange(b.rejected(), from, to), Arrays.copyOfRange(b.rejectedMask(), from, to),
                r[1] - r[0], len);
    }

    /** The evaluation, reported, on the leader; null on the other ranks (they go on and wait at the next step). */
    private Row evaluated(Consumer<Row> onEval, long step, int epoch, long seen) {
        if (!parallel.leader()) return null;
        Row row = new Row(step, epoch, seen, evaluate(train), evaluate(val));
        onEval.accept(row);
        return row;
    }

    /** Over the first {@code evalBatches} batches of {@code data}, in order, without dropout or autograd. */
    public Evaluation evaluate(List<EncodedPreference> data) {
        boolean wasTraining = policy.isTraining();
        policy.eval();
        try (NoGrad g = NoGrad.enter()) {
            List<PreferenceBatch> batches = collator.batches(data, config.batchSize() * parallel.ranks(), null, false);
            int n = Math.min(config.evalBatches(), batches.size());
            double loss = 0, margin = 0, accuracy = 0;
            for (PreferenceBatch b : batches.subList(0, n)) {
                DpoLoss.Value v = DpoLoss.of(policy, reference, b, (float) config.beta());
                loss += v.loss().item();
                margin += v.margin();
                accuracy += v.accuracy();
            }
            return new Evaluation(loss / n, margin / n, accuracy / n);
        } finally {
            if (wasTraining) policy.train();
        }
    }
}
