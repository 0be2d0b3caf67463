package dev.jllm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.arch.LoadedModel;
import dev.jllm.finetune.Splits;
import dev.jllm.finetune.instruct.InstructSpec;
import dev.jllm.finetune.instruct.InstructionTuning;
import dev.jllm.prompt.ChatFormat;
import dev.jllm.prompt.InstructionJson;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.tokenizer.Tokenizer;
import dev.jllm.train.TrainProgress;
import dev.jllm.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.IntConsumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jllm finetune instruct}: instruction finetuning (the book's chapter 7). */
@Command(name = "instruct", mixinStandardHelpOptions = true, description = {
        "Instruction finetuning: train a GPT on a JSON list of instruction, input and output (split 85%% train, 10%% test,"
                + " the rest validation, in file order), then answer the test instructions.",
        "The run folder holds config.json (with the format, for jllm chat), the model, metrics.csv, loss.png,"
                + " checkpoints and instruction-data-with-response.json."})
final class FinetuneInstructCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR|NAME", description = "The pretrained model to start from.")
    String model;

    @Option(names = "--data", paramLabel = "FILE", description = "Instruction data (JSON).")
    Path data;

    @Option(names = "--format", defaultValue = "alpaca", paramLabel = "alpaca|phi3|chat",
            description = "Prompt format (default: ${DEFAULT-VALUE}); chat: the model's own chat template (tokenizer_config.json),"
                    + " the data also as {\"messages\": [...]} conversations (JSON or JSON Lines), the loss on the"
                    + " assistant's replies only.")
    String format;

    @Option(names = "--mask-prompt", description = "Learn the response only: the loss ignores the prompt's tokens.")
    boolean maskPrompt;

    @Option(names = "--epochs", defaultValue = "2", description = "Passes over the training split (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "5e-5", description = "AdamW learning rate (default: ${DEFAULT-VALUE}; weight decay 0.1).")
    double lr;

    @Option(names = "--batch", defaultValue = "8", description = "Entries per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lora-rank", paramLabel = "R",
            description = "Train LoRA adapters of rank R on every Linear of the blocks and on the head, the model frozen;"
                    + " the run folder holds the merged model and adapters.safetensors.")
    Integer loraRank;

    @Mixin
    LoRAAlphaOption loraAlpha;

    @Option(names = "--max-length", defaultValue = "1024",
            description = "Longest training sequence, at most the model's context (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--response-tokens", defaultValue = "256",
            description = "Most tokens per generated test response (default: ${DEFAULT-VALUE}).")
    int responseTokens;

    @Mixin
    ShufflingSeedOption seed;

    @Option(names = "--out", defaultValue = "runs/instruct", paramLabel = "DIR", description = "Run folder (default: ${DEFAULT-VALUE}).")
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
        IntConsumer answered = n -> {
            if (!json.on && (n % 10 == 0)) {
                log.printf("answered %d test instructions%n", n);
                log.flush();
            }
        };
        InstructionTuning.Report report;
        if (resume.given(spec, model != null || data != null || loraRank != null || loraAlpha.given(),
                "--model, --data and LoRA settings")) {
            report = InstructionTuning.resume(resume.dir, progress, answered, name -> LoadedModel.load(name).model());
        } else {
            if (model == null || data == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give --model DIR|NAME and --data FILE (or --resume DIR)");
            }
            loraAlpha.requireRank(spec, loraRank);
            int rank = loraRank != null ? loraRank : 0;
            if (loraRank != null && rank < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--lora-rank must be positive, got " + rank);
            }
            float alpha = loraAlpha.forRank(rank);
            LoadedModel loaded = LoadedModel.load(model);
            if (rank > 0) dev.jllm.model.CausalLM.checkLoRARank(loaded.model().config(), rank);
            Tokenizer tokenizer = loaded.requireTokenizer("finetuning needs text");
            boolean chat = format.strip().equalsIgnoreCase(ChatFormat.NAME);
            String formatName = chat ? ChatFormat.NAME : PromptFormat.named(format).cliName();
            String sample = "";
            if (chat) {
                FinetuneCommand.chatFormat(loaded, tokenizer);
                // A malformed file is refused before the run folder is made.
                Splits.inOrder85_10_5(InstructionJson.readConversations(data), data.toString());
            } else {
                // The first validation entry is the sample prompt, as in the book's training loop.
                sample = PromptFormat.named(format).prompt(Splits.inOrder85_10_5(InstructionJson.readInstructions(data),
                        data.toString()).validation().getFirst());
            }
            InstructSpec instructSpec = new InstructSpec(model, data.toString(), formatName, maskPrompt,
                    responseTokens, rank, alpha, InstructSpec.bookTraining(epochs, lr, batch, maxLength, seed.seed, sample));
            log.printf(Locale.ROOT, "instruction finetuning %s on %s (%s%s%s)%n", loaded.path(), data,
                    chat ? "the model's chat template, replies learned" : formatName + " format",
                    maskPrompt && !chat ? ", prompt masked" : "",
                    rank > 0 ? String.format(Locale.ROOT, ", LoRA rank %d alpha %s", rank, alpha) : "");
            log.flush();
            report = InstructionTuning.start(loaded.model(), tokenizer, instructSpec, out, progress, answered);
        }
        Trainer.Result r = report.result();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (report.responses() == null) {
            ResumeOption.stopped(log, "finetune instruct", r.steps(), report.runDir());
        }
        if (json.on) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode o = mapper.createObjectNode();
            o.put("run_dir", report.runDir().toString());
            o.put("train_loss", r.trainLoss());
            o.put("val_loss", r.valLoss());
            if (report.responses() == null) o.putNull("responses"); // interrupted: no test responses yet
            else o.put("responses", report.responses().toString());
            o.put("seconds", Math.round(seconds * 10) / 10.0);
            spec.commandLine().getOut().println(mapper.writeValueAsString(o));
        } else if (report.responses() != null) {
            log.printf(Locale.ROOT, "train loss %.3f, val loss %.3f after %d steps; test responses in %s (%.1f s)%n",
                    r.trainLoss(), r.valLoss(), r.steps(), report.responses(), seconds);
            log.printf("score them with: jllm evaluate --responses %s [--judge URL --judge-model NAME]%n", report.responses());
        }
        spec.commandLine().getOut().flush();
        log.flush();
        return 0;
    }
}
