package dev.jllm.finetune.classify;

import dev.jllm.data.Batches;
import dev.jllm.mpi.DataParallel;
import dev.jllm.tensor.NoGrad;
import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;
import dev.jllm.train.MetricsLog;
import dev.jllm.train.TrainingData;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Chapter 6's loaders for the shared {@link dev.jllm.train.Trainer}: the shuffled training messages in batches (the
 * last incomplete one dropped, as the book's {@code train_loader}), the first batches of the training and validation
 * sets in file order for evaluation, the classifier's cross-entropy as the loss, and its accuracy as a further metric
 * (metrics.csv's {@code train_accuracy}, {@code val_accuracy}; {@code accuracy.png}).
 *
 * <p>As the book's loader does, one generator seeded with the run's seed shuffles epoch after epoch: epoch
 * {@code e} is that generator's {@code e+1}-th shuffle, replayed from the seed, so a resumed run sees the same order.
 */
public final class ClassificationTrainingData implements TrainingData<GptClassifier, ClassificationBatch> {

    /** The further metric: the share of messages whose largest logit is their label. */
    public static final List<String> METRICS = List.of("accuracy");
    /** A classification run's metrics.csv: step, epoch, examples_seen, train_loss, val_loss, train_accuracy, val_accuracy. */
    public static final MetricsLog.Columns COLUMNS = new MetricsLog.Columns(List.of(MetricsLog.Column.STEP,
            MetricsLog.Column.EPOCH, MetricsLog.Column.EXAMPLES_SEEN, MetricsLog.Column.TRAIN_LOSS,
            MetricsLog.Column.VAL_LOSS), METRICS);

    private final ClassificationSplits splits;
    private final int batchSize;

    /** {@code batchSize}: messages per global batch (under mpirun, ranks × the batch of one rank). */
    public ClassificationTrainingData(ClassificationSplits splits, int batchSize) {
        this.splits = splits;
        this.batchSize = batchSize;
    }

    @Override
    public int batchesPerEpoch() {
        return splits.train().size() / batchSize;
    }

    @Override
    public Iterator<ClassificationBatch> epoch(long seed) {
        return batches(Batches.indices(splits.train().size(), batchSize, new Random(seed), true));
    }

    @Override
    public Iterator<ClassificationBatch> epoch(long runSeed, int epoch) {
        Random shuffle = new Random(runSeed);
        List<int[]> order = null;
        for (int e = 0; e <= epoch; e++) order = Batches.indices(splits.train().size(), batchSize, shuffle, true);
        return batches(order);
    }

    private Iterator<ClassificationBatch> batches(List<int[]> order) {
        return order.stream().map(splits.train()::batch).iterator();
    }

    @Override
    public List<ClassificationBatch> evaluation(boolean validation, int batches) {
        List<ClassificationBatch> all = (validation ? splits.validation() : splits.train()).batches(batchSize, null, false);
        return all.subList(0, Math.min(batches, all.size()));
    }

    @Override
    public String describe() {
        return "the training set has " + splits.train().size() + " examples";
    }

    @Override
    public long tokens(ClassificationBatch b) {
        return (long) b.size() * b.length();
    }

    @Override
    public int rows(ClassificationBatch b) {
        return b.size();
    }

    @Override
    public ClassificationBatch shard(ClassificationBatch b, DataParallel parallel) {
        if (parallel.ranks() == 1) return b;
        int[] r = parallel.rowRange(b.size());
        int len = b.length();
        return new ClassificationBatch(Arrays.copyOfRange(b.ids(), r[0] * len, r[1] * len),
                Arrays.copyOfRange(b.lastIndex(), r[0], r[1]), Arrays.copyOfRange(b.labels(), r[0], r[1]), r[1] - r[0], len);
    }

    @Override
    public String fingerprint(ClassificationBatch b) {
        return Arrays.hashCode(b.ids()) + " " + Arrays.hashCode(b.labels());
    }

    @Override
    public Tensor loss(GptClassifier model, ClassificationBatch b) {
        return model.loss(b);
    }

    @Override
    public List<String> metrics() {
        return METRICS;
    }

    /** The batch's mean cross-entropy and accuracy. */
    @Override
    public double[] evaluate(GptClassifier model, ClassificationBatch b) {
        Tensor logits = model.logits(b);
        return new double[] {Ops.crossEntropy(logits, b.labels()).item(), (double) correct(logits, b) / b.size()};
    }

    /** Mean loss and accuracy over some batches. */
    public record Evaluation(double loss, double accuracy) {}

    /**
     * Loss and accuracy over the first {@code maxBatches} batches of {@code set} (each message counts once), in eval
     * mode without autograd: the run's final accuracies on the whole of each set.
     */
    public static Evaluation evaluate(GptClassifier model, ClassificationDataset set, int batchSize, int maxBatches) {
        boolean training = model.isTraining();
        model.eval();
        try (NoGrad g = NoGrad.enter()) {
            List<ClassificationBatch> batches = set.batches(batchSize, null, false);
            double lossSum = 0;
            long correct = 0, count = 0;
            for (ClassificationBatch b : batches.subList(0, Math.min(maxBatches, batches.size()))) {
                Tensor logits = model.logits(b);
                lossSum += Ops.crossEntropy(logits, b.labels()).item() * b.size();
                correct += correct(logits, b);
                count += b.size();
            }
            return new Evaluation(lossSum / count, (double) correct / count);
        } finally {
            if (training) model.train();
        }
    }

    /** logits [B, classes] → how many rows have their largest value at their label. */
    private static int correct(Tensor logits, ClassificationBatch b) {
        int rows = logits.dim(0), classes = logits.dim(1);
        float[] v = logits.data();
        int correct = 0;
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int c = 1; c < classes; c++) if (v[r * classes + c] > v[r * classes + best]) best = c;
            if (best == b.labels()[r]) correct++;
        }
        return correct;
    }
}
