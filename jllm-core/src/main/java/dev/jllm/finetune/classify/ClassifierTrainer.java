package dev.jllm.finetune.classify;

import dev.jllm.Setting;
import dev.jllm.SettingException;
import dev.jllm.mpi.DataParallel;
import dev.jllm.optim.AdamW;
import dev.jllm.tensor.NoGrad;
import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;
import dev.jllm.tensor.Workspace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The book's {@code train_classifier_simple} (chapter 6): AdamW over the trainable parameters, one step per batch
 * of the shuffled training set, loss and accuracy on the training and validation sets every
 * {@link ClassifierTrainConfig#evalEvery()} steps (over the first {@code evalBatches} batches), and at the end
 * the accuracy on the whole of all three sets.
 *
 * <p>Under mpirun ({@link DataParallel}) each step's batch is ranks × {@code batchSize} messages of the same
 * shuffled order, each rank trains on its rows and the gradients are averaged over the ranks; rank 0 evaluates
 * (on batches of that global size) while the others wait for the next step.
 */
public final class ClassifierTrainer {

    /** Mean loss and accuracy over some batches. */
    public record Evaluation(double loss, double accuracy) {}

    /** One periodic evaluation, as metrics.csv records it. */
    public record Row(long step, int epoch, long examplesSeen, double trainLoss, double valLoss, double trainAccuracy,
                      double valAccuracy) {}

    /** The finished run: accuracies on the full sets. */
    public record Result(long steps, double trainAccuracy, double valAccuracy, double testAccuracy, double seconds) {}

    private final GptClassifier model;
    private final ClassificationSplits data;
    private final ClassifierTrainConfig config;
    private final AdamW optimizer;
    /** Lends each batch's activations and intermediate gradients to the next. */
    private final Workspace workspace = new Workspace();
    private final DataParallel parallel = DataParallel.current();

    public ClassifierTrainer(GptClassifier model, ClassificationSplits data, ClassifierTrainConfig config) {
        if (data.train().size() < config.batchSize() * parallel.ranks()) {
            throw new SettingException("the training set has " + data.train().size()
                    + " examples, fewer than one batch of " + config.batchSize() * parallel.ranks()
                    + " (use a smaller ", Setting.BATCH_SIZE, ")");
        }
        if (model.trainableParameterCount() == 0) throw new IllegalArgumentException("no parameter is trainable");
        this.model = model;
        this.data = data;
        this.config = config;
        this.optimizer = new AdamW(model.trainableParameters(), AdamW.Options.withWeightDecay(config.weightDecay()));
    }

    /**
     * Trains; {@code onEval} receives each periodic evaluation (including one before the first step).
     */
    public Result run(Consumer<Row> onEval) {
        long start = System.nanoTime();
        Random shuffle = new Random(config.seed());
        long step = 0, seen = 0;
        int batchSize = config.batchSize() * parallel.ranks(); // the global batch
        parallel.start(model.namedParameters(), config + "\n" + data.train().size() + " " + data.length());
        try (DataParallel.Gradients gradients = parallel.gradients(new ArrayList<>(optimizer.parameters().values()))) {
            evaluated(onEval, 0, 0, 0);
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                for (ClassificationBatch b : data.train().batches(batchSize, shuffle, true)) {
                    model.train();
                    optimizer.zeroGrad();
                    try (Workspace.Scope batch = workspace.open()) {
                        Tensor loss = model.loss(shard(b));
                        if (!Double.isFinite(loss.item())) {
                            throw new SettingException("training loss is " + loss.item() + " at step " + (step + 1)
                                    + "; try a lower ", Setting.LEARNING_RATE);
                        }
                        gradients.backward(loss);
                    }
                    optimizer.step(config.lr());
                    step++;
                    seen += b.size();
                    if (step % config.evalEvery() == 0) evaluated(onEval, step, epoch, seen);
                }
            }
        }
        if (step % config.evalEvery() != 0) evaluated(onEval, step, config.epochs(), seen);
        if (!parallel.leader()) return new Result(step, Double.NaN, Double.NaN, Double.NaN, (System.nanoTime() - start) / 1e9);
        int all = Integer.MAX_VALUE;
        double train = evaluate(model, data.train(), batchSize, all).accuracy();
        double val = evaluate(model, data.validation(), batchSize, all).accuracy();
        double test = evaluate(model, data.test(), batchSize, all).accuracy();
        return new Result(step, train, val, test, (System.nanoTime() - start) / 1e9);
    }

    /** This rank's messages of a global batch. */
    private ClassificationBatch shard(ClassificationBatch b) {
        if (parallel.ranks() == 1) return b;
        int[] r = parallel.rowRange(b.size());
        int len = b.length();
        return new ClassificationBatch(Arrays.copyOfRange(b.ids(), r[0] * len, r[1] * len),
                Arrays.copyOfRange(b.lastIndex(), r[0], r[1]), Arrays.copyOfRange(b.labels(), r[0], r[1]), r[1] - r[0], len);
    }

    /** Evaluates and reports on the leader (the other ranks go on to the next step and wait for it there). */
    private void evaluated(Consumer<Row> onEval, long step, int epoch, long seen) {
        if (parallel.leader()) onEval.accept(row(step, epoch, seen));
    }

    private Row row(long step, int epoch, long seen) {
        int batchSize = config.batchSize() * parallel.ranks();
        Evaluation train = evaluate(model, data.train(), batchSize, config.evalBatches());
        Evaluation val = evaluate(model, data.validation(), batchSize, config.evalBatches());
        return new Row(step, epoch, seen, train.loss(), val.loss(), train.accuracy(), val.accuracy());
    }

    /** Loss and accuracy over the first {@code maxBatches} batches of {@code set}, in eval mode without autograd. */
    public static Evaluation evaluate(GptClassifier model, ClassificationDataset set, int batchSize, int maxBatches) {
        boolean training = model.isTraining();
        model.eval();
        try (NoGrad g = NoGrad.enter()) {
            List<ClassificationBatch> batches = set.batches(batchSize, null, false);
            double lossSum = 0;
            long correct = 0, count = 0;
            int n = Math.min(maxBatches, batches.size());
            for (ClassificationBatch b : batches.subList(0, n)) {
                Tensor logits = model.logits(b);
                lossSum += Ops.crossEntropy(logits, b.labels()).item() * b.size();
                int[] predicted = argmax(logits);
                for (int i = 0; i < b.size(); i++) if (predicted[i] == b.labels()[i]) correct++;
                count += b.size();
            }
            return new Evaluation(lossSum / count, (double) correct / count);
        } finally {
            if (training) model.train();
        }
    }

    /** logits [B, classes] → the index of each row's largest value. */
    static int[] argmax(Tensor logits) {
        int rows = logits.dim(0), classes = logits.dim(1);
        float[] v = logits.data();
        int[] out = new int[rows];
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int c = 1; c < classes; c++) if (v[r * classes + c] > v[r * classes + best]) best = c;
            out[r] = best;
        }
        return out;
    }
}
