package dev.jllm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.arch.LoadedModel;
import dev.jllm.finetune.classify.ClassificationFinetune;
import dev.jllm.finetune.classify.ClassifierTrainConfig;
import dev.jllm.finetune.classify.Pooling;
import dev.jllm.finetune.classify.Trainable;
import dev.jllm.tokenizer.Tokenizer;
import dev.jllm.train.TrainProgress;
import dev.jllm.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jllm finetune classify}: the book's chapter 6 (and appendix E with LoRA) on any labelled table. */
@Command(name = "classify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Finetune a GPT to classify texts (spam or not, or any labels) and write a run folder: the classifier",
            "(config.json, model.safetensors, tokenizer, classifier.safetensors, classifier.json), metrics.csv,",
            "loss.png, accuracy.png and checkpoints (--resume continues them). The book's settings by default: classes balanced, split 70/10/20, texts padded",
            "to the longest training text, last block + final norm + new head trained, AdamW lr 5e-5, weight decay",
            "0.1, 5 epochs, batch 8, no dropout."
        })
final class FinetuneClassifyCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR|NAME", description = "The pretrained model.")
    String model;

    @Option(names = "--data", paramLabel = "FILE",
            description = "CSV (.csv) or TSV table of labelled texts; label<TAB>text without header (the SMS Spam"
                    + " Collection's layout) works as it is.")
    Path data;

    @Option(names = "--text-column", paramLabel = "C", description = "Text column, by header name or 0-based index.")
    String textColumn;

    @Option(names = "--label-column", paramLabel = "C", description = "Label column, by header name or 0-based index.")
    String labelColumn;

    @Option(names = "--labels", split = ",", paramLabel = "A,B,...",
            description = "The allowed labels in class order (default: as they first appear in the file).")
    List<String> labels;

    @Option(names = "--trainable", defaultValue = "last-block", paramLabel = "WHAT",
            description = "head, last-block, last-2-blocks, all or lora (default: ${DEFAULT-VALUE}; lora when"
                    + " --lora-rank is given).")
    String trainable;

    @Option(names = "--lora-rank", paramLabel = "R", description = "LoRA rank (default 16 with --trainable lora).")
    Integer loraRank;

    @Mixin
    LoRAAlphaOption loraAlpha;

    @Option(names = "--pool", defaultValue = "last", paramLabel = "last|mean",
            description = "Read the last real token's output, or the mean over the real tokens (default: ${DEFAULT-VALUE}).")
    String pool;

    @Option(names = "--epochs", defaultValue = "5", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--lr", defaultValue = "5e-5", paramLabel = "X", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--weight-decay", defaultValue = "0.1", paramLabel = "X", description = "Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--max-length", paramLabel = "N",
            description = "Pad and truncate texts to N tokens (default: the longest training text, within the context;"
                    + " longer texts keep their first tokens).")
    Integer maxLength;

    @Option(names = "--balance", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Sample every class down to the smallest one's size, as the book does (default: on).")
    boolean balance;

    @Option(names = "--dropout", defaultValue = "0", paramLabel = "P", description = "Dropout while finetuning (default: ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--eval-every", defaultValue = "50", paramLabel = "N",
            description = "Evaluate loss and accuracy every N steps (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--eval-batches", defaultValue = "5", paramLabel = "N",
            description = "Batches per evaluation (default: ${DEFAULT-VALUE}).")
    int evalBatches;

    @Option(names = "--clip", defaultValue = "0", paramLabel = "X",
            description = "Clip the global gradient norm to X (default: no clipping, as the book).")
    double clip;

    @Option(names = "--seed", defaultValue = "123", description = "Seeds split, shuffle, head and LoRA (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default: runs/classify-DATE-TIME).")
    Path out;

    @Mixin
    ResumeOption resume;

    @Mixin
    ProgressOption progress;

    @Option(names = "--json", description = "Print {run_dir, train_accuracy, val_accuracy, test_accuracy,"
            + " trainable_parameters, seconds} at the end.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Consumer<String> log = line -> {
            err.println(line);
            err.flush();
        };
        TrainProgress progress = this.progress.on(err);
        ClassificationFinetune.Outcome outcome;
        if (resume.given(spec, model != null || data != null, "--model, --data and settings")) {
            outcome = ClassificationFinetune.resume(resume.dir, progress, log);
        } else {
            if (model == null || data == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give --model DIR|NAME and --data FILE (or --resume DIR)");
            }
            outcome = start(progress, log);
        }
        var r = outcome.result();
        PrintWriter o = spec.commandLine().getOut();
        if (r.outcome() == Trainer.Outcome.INTERRUPTED) {
            ResumeOption.stopped(err, "finetune classify", r.steps(), outcome.runDir());
        } else if (json) {
            ObjectNode node = new ObjectMapper().createObjectNode();
            node.put("run_dir", outcome.runDir().toString());
            node.put("train_accuracy", r.trainAccuracy());
            node.put("val_accuracy", r.valAccuracy());
            node.put("test_accuracy", r.testAccuracy());
            node.put("trainable_parameters", outcome.trainableParameters());
            node.put("seconds", r.seconds());
            o.println(new ObjectMapper().writeValueAsString(node));
        } else {
            o.printf(java.util.Locale.ROOT, "accuracy: train %.2f%%, validation %.2f%%, test %.2f%% (%d steps, %.1f s);"
                            + " classifier written to %s%n", 100 * r.trainAccuracy(), 100 * r.valAccuracy(),
                    100 * r.testAccuracy(), r.steps(), r.seconds(), outcome.runDir());
        }
        o.flush();
        err.flush();
        return 0;
    }

    private ClassificationFinetune.Outcome start(TrainProgress progress, Consumer<String> log) throws Exception {
        Trainable what = loraRank != null && !spec.commandLine().getParseResult().hasMatchedOption("--trainable")
                ? Trainable.LORA : Trainable.parse(trainable);
        if (what != Trainable.LORA && (loraRank != null || loraAlpha.given())) {
            throw new IllegalArgumentException("--lora-rank and --lora-alpha need --trainable lora");
        }
        int rank = loraRank != null ? loraRank : 16;
        float alpha = loraAlpha.forRank(rank);
        ClassifierTrainConfig train = new ClassifierTrainConfig(epochs, batch, lr, weightDecay, evalEvery, evalBatches,
                seed, clip);
        var finetune = new ClassificationFinetune.Spec(what, Pooling.parse(pool), rank, alpha, maxLength, balance,
                dropout, train, model);

        if (!Files.isRegularFile(data)) throw new IllegalArgumentException(data + ": no such file");
        var table = new ClassificationFinetune.Table(data.toAbsolutePath().toString(), textColumn, labelColumn, labels);
        LoadedModel base = LoadedModel.load(model);
        if (what == Trainable.LORA) dev.jllm.model.CausalLM.checkLoRARank(base.model().config(), rank);
        Tokenizer tokenizer = base.requireTokenizer("a classifier needs one");
        Path dir = out != null ? out : Path.of("runs", "classify-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        return ClassificationFinetune.start(base.model(), tokenizer, LoadedModel.folderOf(base.path()), table, finetune,
                dir, progress, log);
    }
}
