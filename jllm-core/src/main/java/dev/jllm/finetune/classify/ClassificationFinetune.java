package dev.jllm.finetune.classify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.Setting;
import dev.jllm.SettingException;
import dev.jllm.arch.LoadedModel;
import dev.jllm.model.CausalLM;
import dev.jllm.mpi.DataParallel;
import dev.jllm.tokenizer.Tokenizer;
import dev.jllm.train.Checkpoint;
import dev.jllm.train.RankFolder;
import dev.jllm.train.ResumableRandom;
import dev.jllm.train.RunFolder;
import dev.jllm.train.TrainProgress;
import dev.jllm.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Chapter 6 end to end: a pretrained model and a labelled table in, a run folder with a finetuned classifier out
 * ({@link ClassifierFiles} layout), trained by the shared {@link Trainer} (metrics.csv with the accuracies,
 * {@code loss.png}, {@code accuracy.png}, checkpoints, resume, Ctrl-C, the non-finite stop); at the end the accuracy on
 * the whole of each split goes into classifier.json.
 */
public final class ClassificationFinetune {
    private ClassificationFinetune() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param trainable what to train
     * @param pooling   which hidden states the head reads
     * @param loraRank  LoRA's rank (with {@link Trainable#LORA})
     * @param loraAlpha LoRA's alpha (with {@link Trainable#LORA})
     * @param maxLength pad and truncate to this many tokens, or null for the longest training text
     * @param balance   sample every class down to the smallest one first (the book does, for spam)
     * @param dropRate  dropout while finetuning (the book: 0)
     * @param train     the loop's settings
     * @param baseModel the base model as named by the user, recorded in classifier.json
     */
    public record Spec(Trainable trainable, Pooling pooling, int loraRank, float loraAlpha, Integer maxLength,
                       boolean balance, float dropRate, ClassifierTrainConfig train, String baseModel) {
        public Spec {
            if (trainable == Trainable.LORA && (loraRank < 1 || !(loraAlpha > 0))) {
                throw new IllegalArgumentException("LoRA needs a positive rank and alpha, got rank " + loraRank
                        + " and alpha " + loraAlpha);
            }
        }
    }

    /**
     * The labelled table and how to read it ({@link ClassificationData#read}).
     *
     * @param file        the CSV or TSV file
     * @param textColumn  by header name or 0-based index, or null for the layout's default
     * @param labelColumn likewise
     * @param labels      the allowed labels in class order, or null for as they first appear
     */
    public record Table(String file, String textColumn, String labelColumn, List<String> labels) {
        ClassificationData read() {
            return ClassificationData.read(Path.of(file), textColumn, labelColumn, labels);
        }
    }

    /**
     * What a run was started with, saved as its config.json's "training" (and in each checkpoint): enough to resume.
     *
     * @param model the base model's folder
     */
    public record Settings(String model, Table table, Spec spec) {}

    /**
     * The end of a run: the loop's outcome and, when it finished, the accuracy on the whole of each split (NaN when
     * it was interrupted, and on the ranks other than the leader).
     */
    public record Result(Trainer.Outcome outcome, long steps, double trainAccuracy, double valAccuracy,
                         double testAccuracy, double seconds) {}

    /** The finished run. */
    public record Outcome(Path runDir, Result result, long trainableParameters, int length, int truncated) {}

    /**
     * Finetunes a classifier on {@code base} into the run folder {@code out} (which must not hold a run yet);
     * {@code modelDir} is the base model's folder (read again on resume), {@code log} gets the data and model lines.
     */
    public static Outcome start(CausalLM base, Tokenizer tokenizer, Path modelDir, Table table, Spec spec, Path out,
                                TrainProgress progress, Consumer<String> log) throws IOException {
        DataParallel parallel = DataParallel.current();
        if (parallel.leader() && Files.exists(out.resolve(ClassifierInfo.FILE))) {
            throw new SettingException(out + " already holds a run; choose another ", Setting.RUN_FOLDER);
        }
        Settings settings = new Settings(modelDir.toAbsolutePath().toString(), table, spec);
        Run r = prepare(base, tokenizer, settings, log);
        try (RunFolder run = RankFolder.create(out, ClassificationTrainingData.COLUMNS, parallel)) {
            if (parallel.leader()) run.writeModel(r.model, JSON.valueToTree(settings));
            Trainer<GptClassifier, ClassificationBatch> trainer = r.trainer(run, progress);
            return r.finish(trainer, run);
        }
    }

    /** Continues the run in {@code dir} from its latest checkpoint, with the settings and base model it was started with. */
    public static Outcome resume(Path dir, TrainProgress progress, Consumer<String> log) throws IOException {
        try (RunFolder run = RankFolder.open(dir, ClassificationTrainingData.COLUMNS, DataParallel.current())) {
            Settings settings = JSON.treeToValue(RunFolder.training(dir), Settings.class);
            LoadedModel base = LoadedModel.load(Path.of(settings.model()));
            Run r = prepare(base.model(), base.requireTokenizer("a classifier needs one"), settings, log);
            Trainer<GptClassifier, ClassificationBatch> trainer = r.trainer(run, progress);
            if (RunFolder.latestCheckpoint(dir).isPresent()) {
                Path checkpoint = RankFolder.latestCheckpoint(dir);
                r.model.readCheckpoint(checkpoint);
                trainer.restore(Checkpoint.progress(checkpoint));
            }
            return r.finish(trainer, run);
        }
    }

    /** A run made ready: the splits, the classifier and its dropout generator. */
    private record Run(Settings settings, ClassificationData data, ClassificationSplits splits, TrainedClassifier model,
                       GptClassifier classifier, ResumableRandom dropout, long trainable) {

        Trainer<GptClassifier, ClassificationBatch> trainer(RunFolder run, TrainProgress progress) {
            ClassifierTrainConfig c = settings.spec().train();
            int globalBatch = c.batchSize() * DataParallel.current().ranks(); // each rank trains on its share
            return new Trainer<>(model, dropout, c.loop(splits.length()),
                    new ClassificationTrainingData(splits, globalBatch), run, progress);
        }

        /** Trains, then (on the leader, when finished) measures the accuracies and completes classifier.json. */
        Outcome finish(Trainer<GptClassifier, ClassificationBatch> trainer, RunFolder run) throws IOException {
            long start = System.nanoTime();
            Trainer.Result r = trainer.runStoppable();
            Result result = new Result(r.outcome(), r.steps(), Double.NaN, Double.NaN, Double.NaN,
                    (System.nanoTime() - start) / 1e9);
            if (trainer.parallel().leader()) {
                run.writePlot();
                if (r.outcome() == Trainer.Outcome.FINISHED) {
                    int batch = settings.spec().train().batchSize() * trainer.parallel().ranks();
                    int all = Integer.MAX_VALUE;
                    result = new Result(r.outcome(), r.steps(),
                            ClassificationTrainingData.evaluate(classifier, splits.train(), batch, all).accuracy(),
                            ClassificationTrainingData.evaluate(classifier, splits.validation(), batch, all).accuracy(),
                            ClassificationTrainingData.evaluate(classifier, splits.test(), batch, all).accuracy(),
                            (System.nanoTime() - start) / 1e9);
                    info(settings, data, splits).write(run.dir(), report(settings, data, result, trainable));
                }
            }
            return new Outcome(run.dir(), result, trainable, splits.length(), splits.truncated());
        }
    }

    /** Reads and splits the table, and builds the classifier on {@code base} as the settings say. */
    private static Run prepare(CausalLM base, Tokenizer tokenizer, Settings settings, Consumer<String> log) {
        Spec spec = settings.spec();
        ClassificationData data = settings.table().read();
        long seed = spec.train().seed();
        int padId = tokenizer.eotId();
        ClassificationSplits splits = ClassificationSplits.prepare(data, spec.balance(), seed, tokenizer::encodeOrdinary,
                spec.maxLength(), base.config().contextLength(), padId);
        log.accept(String.format(Locale.ROOT, "%s: labels %s; %d train, %d validation, %d test; padded to %d tokens%s",
                data.source(), data.labels(), splits.train().size(), splits.validation().size(), splits.test().size(),
                splits.length(), splits.truncated() == 0 ? ""
                        : " (" + splits.truncated() + " longer texts truncated to their first " + splits.length() + ")"));

        ResumableRandom dropout = new ResumableRandom(seed);
        SplittableRandom init = new SplittableRandom(seed); // the head's weights, LoRA's A matrices
        GptClassifier model = new GptClassifier(ClassifierFiles.body(base, spec.dropRate(), dropout, spec.trainable()),
                data.labels().size(), spec.pooling(), init);
        model.setTrainable(spec.trainable(), spec.loraRank(), spec.loraAlpha(), init);
        long trainable = model.trainableParameterCount();
        if (trainable == 0) throw new IllegalArgumentException("no parameter is trainable");
        log.accept(String.format(Locale.ROOT, "training %s: %,d of %,d parameters", spec.trainable().cliName(),
                trainable, model.parameterCount()));
        ClassifierInfo info = info(settings, data, splits);
        TrainedClassifier trained = new TrainedClassifier(model, tokenizer, info, report(settings, data, null, trainable));
        return new Run(settings, data, splits, trained, model, dropout, trainable);
    }

    private static ClassifierInfo info(Settings settings, ClassificationData data, ClassificationSplits splits) {
        Spec spec = settings.spec();
        return new ClassifierInfo(data.labels(), spec.pooling(), splits.length(), splits.train().padId(),
                spec.trainable(), spec.loraRank(), spec.loraAlpha(), spec.baseModel());
    }

    /** classifier.json's "training": the run's settings, and its results once it has them ({@code r} non-null). */
    private static ObjectNode report(Settings settings, ClassificationData data, Result r, long trainable) {
        ObjectNode t = JSON.createObjectNode();
        Spec spec = settings.spec();
        ClassifierTrainConfig c = spec.train();
        t.put("data", data.source());
        t.put("balance", spec.balance());
        t.put("epochs", c.epochs());
        t.put("batch", c.batchSize());
        t.put("lr", c.lr());
        t.put("weight_decay", c.weightDecay());
        t.put("eval_every", c.evalEvery());
        t.put("eval_batches", c.evalBatches());
        t.put("seed", c.seed());
        t.put("dropout", spec.dropRate());
        t.put("trainable_parameters", trainable);
        if (r != null) {
            t.put("steps", r.steps());
            t.put("train_accuracy", r.trainAccuracy());
            t.put("val_accuracy", r.valAccuracy());
            t.put("test_accuracy", r.testAccuracy());
            t.put("seconds", r.seconds());
        }
        return t;
    }
}
