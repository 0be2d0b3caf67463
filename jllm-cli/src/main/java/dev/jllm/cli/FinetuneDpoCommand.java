package dev.jllm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.arch.LoadedModel;
import dev.jllm.finetune.dpo.DpoConfig;
import dev.jllm.finetune.dpo.DpoTuning;
import dev.jllm.chat.ChatTemplate;
import dev.jllm.prompt.ChatFormat;
import dev.jllm.model.CausalLM;
import dev.jllm.prompt.ModelFormat;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.tokenizer.HfTokenizer;
import dev.jllm.tokenizer.Tokenizer;
import dev.jllm.train.TrainProgress;
import dev.jllm.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jllm finetune dpo}: preference tuning of an instruction-finetuned model (the book's chapter 7 bonus). */
@Command(name = "dpo", mixinStandardHelpOptions = true, description = {
        "Direct preference optimisation: teach an instruction-finetuned model to prefer the 'chosen' over the"
                + " 'rejected' response (a JSON list with instruction, input, chosen, rejected; split 85%% train, 10%% test,"
                + " the rest validation, in file order).",
        "A frozen copy of the starting model is the reference; loss, reward margin and reward accuracy go to metrics.csv.",
        "The run folder holds what pretraining runs hold: config.json, the model, metrics.csv, loss.png, checkpoints."})
final class FinetuneDpoCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "SFT_DIR", description = "The instruction-finetuned model.")
    String model;

    @Option(names = "--data", paramLabel = "FILE", description = "Preference data (JSON).")
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

    @Option(names = "--format", paramLabel = "alpaca|phi3|chat",
            description = "Prompt format; chat: the model's own chat template (the data also in TRL's {\"prompt\", \"chosen\","
                    + " \"rejected\"} form, JSON or JSON Lines). Default: the one the model was finetuned with, else chat"
                    + " when the model has a chat template, else alpaca.")
    String format;

    @Mixin
    ShufflingSeedOption seed;

    @Option(names = "--lora-rank", paramLabel = "R",
            description = "Train LoRA adapters of rank R on the blocks' Linears over the frozen model (a bf16 checkpoint"
                    + " stays bf16) instead of every weight.")
    Integer loraRank;

    @Mixin
    LoRAAlphaOption loraAlpha;

    @Option(names = "--out", defaultValue = "runs/dpo", paramLabel = "DIR", description = "Run folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    ResumeOption resume;

    @Mixin
    JsonReportOption json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        PrintWriter log = json.log(spec);
        TrainProgress progress = json.progress(log);
        DpoTuning.Report report;
        if (resume.given(spec, model != null || data != null || loraRank != null || loraAlpha.given(),
                "--model, --data and LoRA settings")) {
            report = DpoTuning.resume(resume.dir, progress, log);
        } else {
            if (model == null || data == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give --model SFT_DIR and --data FILE (or --resume DIR)");
            }
            loraAlpha.requireRank(spec, loraRank);
            LoadedModel loaded = LoadedModel.load(model);
            if (loraRank != null) CausalLM.checkLoRARank(loaded.model().config(), loraRank);
            Tokenizer tokenizer = loaded.requireTokenizer("DPO needs text");
            String formatName = formatName(loaded, tokenizer);
            if (formatName.equals(ChatFormat.NAME)) FinetuneCommand.chatFormat(loaded, tokenizer);
            DpoConfig config = new DpoConfig(loaded.path().toAbsolutePath().toString(), data.toAbsolutePath().toString(),
                    beta, lr, weightDecay, epochs, batch, maxLength, evalEvery, evalBatches, seed.seed, formatName,
                    loraRank != null ? loraRank : 0, loraAlpha.forRank(loraRank != null ? loraRank : 0));
            report = DpoTuning.start(loaded.model(), tokenizer, config, out, progress, log);
        }
        Trainer.Result r = report.result();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (r.outcome() == Trainer.Outcome.INTERRUPTED) {
            ResumeOption.stopped(log, "finetune dpo", r.steps(), report.runDir());
        } else if (json.on) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode o = mapper.createObjectNode();
            o.put("run_dir", report.runDir().toString());
            o.put("train_loss", r.trainLoss());
            o.put("val_loss", r.valLoss());
            o.put("val_reward_margin", report.valRewardMargin());
            o.put("val_reward_accuracy", report.valRewardAccuracy());
            o.put("seconds", Math.round(seconds * 10) / 10.0);
            spec.commandLine().getOut().println(mapper.writeValueAsString(o));
        } else {
            log.printf(Locale.ROOT, "train loss %.4f, val loss %.4f, val reward margin %.4f, val reward accuracy %.3f"
                            + " after %d steps%n", r.trainLoss(), r.valLoss(), report.valRewardMargin(),
                    report.valRewardAccuracy(), r.steps());
            log.printf(Locale.ROOT, "wrote %s in %.1f s (chat with: jllm chat --model %s)%n", report.runDir(), seconds,
                    report.runDir());
        }
        spec.commandLine().getOut().flush();
        log.flush();
        return 0;
    }

    /** --format, else the format the model was finetuned with, else its chat template when it has one, else alpaca. */
    private String formatName(LoadedModel loaded, Tokenizer tokenizer) {
        if (format != null) {
            return format.strip().equalsIgnoreCase(ChatFormat.NAME) ? ChatFormat.NAME : PromptFormat.named(format).cliName();
        }
        if (ModelFormat.isChat(loaded.path())) return ChatFormat.NAME;
        Optional<PromptFormat> recorded = ModelFormat.read(loaded.path());
        if (recorded.isPresent()) return recorded.get().cliName();
        boolean hasTemplate = tokenizer instanceof HfTokenizer hf && hf.folder() != null && ChatTemplate.isIn(hf.folder());
        return hasTemplate ? ChatFormat.NAME : PromptFormat.ALPACA.cliName();
    }
}
