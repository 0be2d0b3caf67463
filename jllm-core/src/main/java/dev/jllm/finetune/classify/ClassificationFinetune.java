package dev.jllm.finetune.classify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.Setting;
import dev.jllm.SettingException;
import dev.jllm.model.CausalLM;
import dev.jllm.mpi.DataParallel;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import dev.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Chapter 6 end to end: a pretrained GPT and a labelled table in, a run folder with a finetuned classifier out
 * ({@link ClassifierFiles} layout plus {@code metrics.csv}, {@code loss.png} and {@code accuracy.png}).
 */
public final class ClassificationFinetune {
    private ClassificationFinetune() {}

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

    /** The finished run. */
    public record Outcome(Path runDir, ClassifierTrainer.Result result, long trainableParameters, int length,
                          int truncated) {}

    /** Finetunes and writes the run folder {@code out} (which must not hold a run yet); {@code log} gets progress lines. */
    public static Outcome run(CausalLM base, Gpt2Tokenizer tokenizer, ClassificationData data, Spec spec, Path out,
                              Consumer<String> log) throws IOException {
        return run(base, tokenizer, null, data, spec, out, log);
    }

    /**
     * {@link #run} with any tokenizer: one that is not GPT-2's BPE files is copied into the run folder from
     * {@code tokenizerDir}, the base model's folder.
     */
    public static Outcome run(CausalLM base, Tokenizer tokenizer, Path tokenizerDir, ClassificationData data, Spec spec,
                              Path out, Consumer<String> log) throws IOException {
        boolean leader = DataParallel.current().leader(); // under mpirun rank 0 alone writes the run folder
        if (leader && (Files.exists(out.resolve(ClassifierInfo.FILE)) || Files.exists(out.resolve(ClassificationMetrics.FILE)))) {
            throw new SettingException(out + " already holds a run; choose another ", Setting.RUN_FOLDER);
        }
        long seed = spec.train().seed();
        int context = base.config().contextLength();
        int padId = tokenizer.eotId();
        ClassificationSplits splits = ClassificationSplits.prepare(data, spec.balance(), seed, tokenizer::encodeOrdinary,
                spec.maxLength(), context, padId);
        log.accept(String.format(Locale.ROOT, "%s: labels %s; %d train, %d validation, %d test; padded to %d tokens%s",
                data.source(), data.labels(), splits.train().size(), splits.validation().size(), splits.test().size(),
                splits.length(), splits.truncated() == 0 ? ""
                        : " (" + splits.truncated() + " longer texts truncated to their first " + splits.length() + ")"));

        SplittableRandom rng = new SplittableRandom(seed);
        GptClassifier model = new GptClassifier(ClassifierFiles.body(base, spec.dropRate(), rng, spec.trainable()), data.labels().size(),
                spec.pooling(), rng);
        model.setTrainable(spec.trainable(), spec.loraRank(), spec.loraAlpha(), rng);
        long trainable = model.trainableParameterCount();
        log.accept(String.format(Locale.ROOT, "training %s: %,d of %,d parameters", spec.trainable().cliName(),
                trainable, model.parameterCount()));

        if (!leader) {
            ClassifierTrainer.Result result = new ClassifierTrainer(model, splits, spec.train()).run(row -> {});
            return new Outcome(out, result, trainable, splits.length(), splits.truncated());
        }
        Files.createDirectories(out);
        ClassifierTrainer.Result result;
        try (ClassificationMetrics metrics = new ClassificationMetrics(out)) {
            result = new ClassifierTrainer(model, splits, spec.train()).run(row -> {
                metrics.add(row);
                log.accept(String.format(Locale.ROOT,
                        "epoch %d step %d: loss train %.3f val %.3f, accuracy train %.1f%% val %.1f%%", row.epoch(),
                        row.step(), row.trainLoss(), row.valLoss(), 100 * row.trainAccuracy(), 100 * row.valAccuracy()));
            });
            metrics.writePlots();
        }
        ClassifierInfo info = new ClassifierInfo(data.labels(), spec.pooling(), splits.length(), padId,
                spec.trainable(), spec.loraRank(), spec.loraAlpha(), spec.baseModel());
        ClassifierFiles.save(out, model, tokenizer, tokenizerDir, info, training(spec, data, result, trainable));
        return new Outcome(out, result, trainable, splits.length(), splits.truncated());
    }

    private static ObjectNode training(Spec spec, ClassificationData data, ClassifierTrainer.Result r, long trainable) {
        ObjectNode t = new ObjectMapper().createObjectNode();
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
        t.put("steps", r.steps());
        t.put("train_accuracy", r.trainAccuracy());
        t.put("val_accuracy", r.valAccuracy());
        t.put("test_accuracy", r.testAccuracy());
        t.put("seconds", r.seconds());
        return t;
    }
}
