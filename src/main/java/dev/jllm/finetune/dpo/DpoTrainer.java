package dev.jllm.finetune.dpo;

import dev.jllm.model.CausalLM;
import dev.jllm.optim.AdamW;
import dev.jllm.tensor.NoGrad;
import dev.jllm.tensor.Workspace;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The book's {@code train_model_dpo_simple}: AdamW on the policy, one step per batch of shuffled preference pairs,
 * the reference model frozen (a copy of the starting policy, never updated, run without autograd). Every
 * {@code evalEvery} steps, loss, reward margin and reward accuracy on the first batches of the training and the
 * validation pairs, in evaluation mode.
 */
public final class DpoTrainer {

    /** Mean DPO loss, reward margin (chosen − rejected) and reward accuracy over some batches. */
    public record Evaluation(double loss, double rewardMargin, double rewardAccuracy) {}

    /** One periodic evaluation. */
    public record Row(long step, int epoch, long pairsSeen, Evaluation train, Evaluation val) {}

    private final CausalLM policy;
    private final CausalLM reference;
    private final List<EncodedPreference> train;
    private final List<EncodedPreference> val;
    private final DpoConfig config;
    private final PreferenceCollator collator;
    private final AdamW optimizer;
    /** Lends each batch's activations and intermediate gradients to the next. */
    private final Workspace workspace = new Workspace();

    /**
     * @param policy the model to tune (the SFT model); the reference is a frozen copy of it as it is now
     * @param padId  the padding id: the tokenizer's end token (50256 for GPT-2)
     */
    public DpoTrainer(CausalLM policy, List<EncodedPreference> train, List<EncodedPreference> val, DpoConfig config,
                      int padId) {
        if (train.size() < config.batchSize()) {
            throw new IllegalArgumentException("the training split has " + train.size()
                    + " preference pairs, fewer than one batch of " + config.batchSize() + " (use a smaller --batch)");
        }
        this.policy = policy;
        this.reference = policy.copy(new SplittableRandom(0));
        reference.freeze();
        reference.eval();
        this.train = train;
        this.val = val;
        this.config = config;
        this.collator = new PreferenceCollator(padId,
                Math.min(config.maxLength(), policy.config().contextLength()));
        this.optimizer = new AdamW(policy.trainableParameters(), AdamW.Options.withWeightDecay(config.weightDecay()));
    }

    /** Trains; {@code onEval} receives each evaluation, the first before any step. Returns the last one. */
    public Row run(Consumer<Row> onEval) {
        Random shuffle = new Random(config.seed());
        long step = 0, seen = 0;
        Row last = row(0, 0, 0);
        onEval.accept(last);
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            for (PreferenceBatch b : collator.batches(train, config.batchSize(), shuffle, true)) {
                policy.train();
                optimizer.zeroGrad();
                try (Workspace.Scope batch = workspace.open()) {
                    DpoLoss.Value v = DpoLoss.of(policy, reference, b, (float) config.beta());
                    double loss = v.loss().item();
                    if (!Double.isFinite(loss)) {
                        throw new IllegalStateException("DPO loss is " + loss + " at step " + (step + 1)
                                + "; try a lower --lr");
                    }
                    v.loss().backward();
                }
                optimizer.step(config.lr());
                step++;
                seen += b.size();
                if (step % config.evalEvery() == 0) onEval.accept(last = row(step, epoch, seen));
            }
        }
        if (step % config.evalEvery() != 0) onEval.accept(last = row(step, config.epochs(), seen));
        policy.eval();
        return last;
    }

    private Row row(long step, int epoch, long seen) {
        return new Row(step, epoch, seen, evaluate(train), evaluate(val));
    }

    /** Over the first {@code evalBatches} batches of {@code data}, in order, without dropout or autograd. */
    public Evaluation evaluate(List<EncodedPreference> data) {
        boolean wasTraining = policy.isTraining();
        policy.eval();
        try (NoGrad g = NoGrad.enter()) {
            List<PreferenceBatch> batches = collator.batches(data, config.batchSize(), null, false);
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
