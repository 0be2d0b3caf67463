package dev.jllm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.finetune.DpoConfig;
import dev.jllm.finetune.DpoTrainer;
import dev.jllm.finetune.EncodedPreference;
import dev.jllm.finetune.FinetunedModel;
import dev.jllm.finetune.InstructionJson;
import dev.jllm.finetune.ModelFormat;
import dev.jllm.finetune.PreferenceExample;
import dev.jllm.finetune.PromptFormat;
import dev.jllm.finetune.Splits;
import dev.jllm.model.GptModel;
import dev.jllm.tokenizer.Tokenizer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jllm finetune dpo}: preference tuning of an instruction-finetuned model (the book's chapter 7 bonus). */
@Command(name = "dpo", mixinStandardHelpOptions = true, description = {
        "Direct preference optimisation: teach an instruction-finetuned model to prefer the 'chosen' over the"
                + " 'rejected' response (a JSON list with instruction, input, chosen, rejected; split 85%% train, 10%% test,"
                + " the rest validation, in file order).",
        "A frozen copy of the starting model is the reference; loss, reward margin and reward accuracy are logged."})
final class FinetuneDpoCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "SFT_DIR", description = "The instruction-finetuned model.")
    String model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Preference data (JSON).")
    Path data;

    @Option(names = "--beta", defaultValue = "0.1", description = "DPO beta (default: ${DEFAULT-VALUE}).")
    double beta;

    @Option(names = "--lr", defaultValue = "5e-6", description = "AdamW learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--epochs", defaultValue = "1", description = "Passes over the training pairs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "8", description = "Pairs per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--max-length", defaultValue = "1024", description = "Longest sequence kept (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--eval-every", defaultValue = "5", description = "Evaluate every N steps (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--eval-batches", defaultValue = "5", description = "Batches per evaluation (default: ${DEFAULT-VALUE}).")
    int evalBatches;

    @Option(names = "--format", paramLabel = "alpaca|phi3",
            description = "Prompt format; default: the one the model was finetuned with, else alpaca.")
    String format;

    @Option(names = "--seed", defaultValue = "123", description = "Shuffling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", defaultValue = "runs/dpo", paramLabel = "DIR", description = "Run folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--json", description = "Print one JSON object at the end.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static final String METRICS_HEADER = "step,epoch,pairs_seen,train_loss,val_loss,train_reward_margin,"
            + "val_reward_margin,train_reward_accuracy,val_reward_accuracy";

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        if (Files.exists(out.resolve("metrics.csv"))) {
            throw new IllegalArgumentException(out + " already holds a run; choose another --out");
        }
        LoadedModel loaded = LoadedModel.load(model);
        Tokenizer tokenizer = loaded.requireTokenizer("DPO needs text");
        PromptFormat promptFormat = format != null ? PromptFormat.named(format)
                : ModelFormat.read(loaded.path()).orElse(PromptFormat.ALPACA);
        DpoConfig config = new DpoConfig(beta, lr, weightDecay, epochs, batch, maxLength, evalEvery, evalBatches, seed,
                promptFormat.cliName());
        Splits<PreferenceExample> splits = Splits.inOrder85_10_5(InstructionJson.readPreferences(data), data.toString());
        List<EncodedPreference> allTrain = EncodedPreference.encode(splits.train(), promptFormat, tokenizer::encode);
        List<EncodedPreference> allVal = EncodedPreference.encode(splits.validation(), promptFormat, tokenizer::encode);
        int allowed = Math.min(maxLength, loaded.model().config.contextLength());
        List<EncodedPreference> train = EncodedPreference.fitting(allTrain, allowed);
        List<EncodedPreference> val = EncodedPreference.fitting(allVal, allowed);
        // The book tunes without dropout; policy and reference then agree exactly before the first step.
        GptModel policy = GptModel.fromStateDict(loaded.model().config.withDropRate(0f), loaded.model().stateDict());

        PrintWriter log = json ? spec.commandLine().getErr() : spec.commandLine().getOut();
        int skipped = allTrain.size() - train.size() + allVal.size() - val.size();
        if (skipped > 0) {
            log.printf(Locale.ROOT, "skipped %d of %d preference pairs whose prompt leaves no response token within %d"
                    + " tokens%n", skipped, allTrain.size() + allVal.size(), allowed);
        }
        log.printf(Locale.ROOT, "DPO of %s on %s: %d training and %d validation pairs (%s format), beta %s, lr %s%n",
                loaded.path(), data, train.size(), val.size(), promptFormat.cliName(), beta, lr);
        log.flush();
        Files.createDirectories(out);
        DpoTrainer.Row last;
        try (BufferedWriter metrics = Files.newBufferedWriter(out.resolve("metrics.csv"), StandardCharsets.UTF_8)) {
            metrics.write(METRICS_HEADER);
            metrics.newLine();
            last = new DpoTrainer(policy, train, val, config, tokenizer.eotId()).run(row -> {
                log.printf(Locale.ROOT, "epoch %d step %4d: train loss %.4f, val loss %.4f, train reward margin %.4f,"
                                + " val reward margin %.4f, val reward accuracy %.3f%n", row.epoch(), row.step(),
                        row.train().loss(), row.val().loss(), row.train().rewardMargin(), row.val().rewardMargin(),
                        row.val().rewardAccuracy());
                log.flush();
                try {
                    metrics.write(String.format(Locale.ROOT, "%d,%d,%d,%.6f,%.6f,%.6f,%.6f,%.4f,%.4f", row.step(),
                            row.epoch(), row.pairsSeen(), row.train().loss(), row.val().loss(), row.train().rewardMargin(),
                            row.val().rewardMargin(), row.train().rewardAccuracy(), row.val().rewardAccuracy()));
                    metrics.newLine();
                    metrics.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + out.resolve("metrics.csv"), e);
                }
            });
        }
        FinetunedModel.save(out, policy, tokenizer, config);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode o = mapper.createObjectNode();
            o.put("run_dir", out.toString());
            o.put("train_loss", last.train().loss());
            o.put("val_loss", last.val().loss());
            o.put("val_reward_margin", last.val().rewardMargin());
            o.put("val_reward_accuracy", last.val().rewardAccuracy());
            o.put("seconds", Math.round(seconds * 10) / 10.0);
            spec.commandLine().getOut().println(mapper.writeValueAsString(o));
        } else {
            log.printf(Locale.ROOT, "wrote %s in %.1f s (chat with: jllm chat --model %s)%n", out, seconds, out);
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
