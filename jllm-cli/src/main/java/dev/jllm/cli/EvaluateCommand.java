package dev.jllm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.arch.LoadedModel;
import dev.jllm.eval.Judge;
import dev.jllm.eval.JudgeApi;
import dev.jllm.eval.JudgeClient;
import dev.jllm.eval.JudgeReport;
import dev.jllm.eval.OverlapMetrics;
import dev.jllm.finetune.instruct.ResponseLoss;
import dev.jllm.model.Perplexity;
import dev.jllm.prompt.InstructionJson;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.prompt.ResponseExample;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jllm evaluate}: scores a model's responses, with a judge model over HTTP, or offline by word overlap.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {
            "Score model responses (a JSON list of instruction, input, output and model_response, as finetune instruct writes).",
            "With --judge: a judge model scores each response 0-100 with the book's prompt (temperature 0, fixed seed);"
                    + " answers that are not a number are reported and left out.",
            "Without: exact match and ROUGE-L against the reference outputs.",
            "Without a judge, --model adds that model's loss and perplexity on the reference outputs (prompt given, not scored)."})
final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--responses", required = true, paramLabel = "FILE", description = "Responses JSON file.")
    Path responses;

    @Option(names = "--judge", paramLabel = "URL",
            description = "Judge server: http://localhost:11434 (Ollama), http://host:8080/v1 (OpenAI-compatible) or a full endpoint.")
    URI judge;

    @Option(names = "--judge-model", paramLabel = "NAME", description = "The judge model's name, e.g. llama3.")
    String judgeModel;

    @Option(names = "--api", paramLabel = "auto|ollama|openai", defaultValue = "auto",
            description = "Judge protocol: Ollama's /api/chat or /v1/chat/completions; auto: from the URL, else try both (default: ${DEFAULT-VALUE}).")
    JudgeApi api;

    @Option(names = "--format", paramLabel = "alpaca|phi3", defaultValue = "alpaca",
            description = "Prompt format used to show the instruction to the judge (default: ${DEFAULT-VALUE}).")
    PromptFormat format;

    @Option(names = "--model", paramLabel = "DIR|NAME",
            description = "Also score how well this model predicts the reference outputs (loss, perplexity).")
    String model;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "Per request to the judge (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "2",
            description = "Retries of a request that failed to connect, timed out, or got HTTP 429/5xx (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--seed", defaultValue = "123", description = "Seed sent to the judge (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Wait before the first retry; tests shorten it. */
    Duration retryDelay = Duration.ofSeconds(1);

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        if (judge == null && judgeModel != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--judge-model needs --judge URL");
        }
        if (judge != null && judgeModel == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--judge needs --judge-model NAME");
        }
        if (timeoutSeconds < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be at least 1");
        List<ResponseExample> entries = InstructionJson.readResponses(responses);
        PrintWriter out = spec.commandLine().getOut();
        if (judge != null && model != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--model scores offline; leave out --judge");
        }
        if (judge == null) {
            Perplexity.Result loss = null;
            if (model != null) {
                LoadedModel loaded = LoadedModel.load(model);
                loss = ResponseLoss.of(loaded.model(), loaded.requireTokenizer("scoring text needs one"), format, entries, 8);
            }
            printOverlap(out, OverlapMetrics.of(entries), loss);
        } else {
            JudgeClient client = new JudgeClient(new JudgeClient.Settings(judge, judgeModel, api,
                    Duration.ofSeconds(timeoutSeconds), retries, retryDelay, seed));
            PrintWriter err = spec.commandLine().getErr();
            JudgeReport report;
            // A progress bar on a terminal only: the judge may take seconds per entry.
            try (ProgressBar bar = System.console() != null && System.console().isTerminal()
                    ? new ProgressBarBuilder().setTaskName("judging").setInitialMax(entries.size()).build() : null) {
                report = new Judge(client, format).score(entries, f -> {
                    err.println("jllm: warning: " + responses + ": entry " + f.entry() + ": the judge answered '"
                            + Judge.oneLine(f.answer()) + "', not a score from 0 to 100; left out");
                    err.flush();
                }, done -> {
                    if (bar != null) bar.stepTo(done);
                });
            }
            printJudged(out, report, client);
        }
        out.flush();
        return 0;
    }

    private void printOverlap(PrintWriter out, OverlapMetrics.Summary s, Perplexity.Result loss) {
        if (json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("responses", s.entries());
            o.put("exact_match", s.exactMatch());
            o.put("rouge_l", s.rougeL());
            if (loss != null) {
                o.put("loss", loss.loss());
                o.put("perplexity", loss.perplexity());
            }
            out.println(o);
            return;
        }
        out.printf(Locale.ROOT, "%d responses in %s (no judge: word overlap with the reference outputs)%n", s.entries(), responses);
        out.printf(Locale.ROOT, "exact match  %.2f%%%n", 100 * s.exactMatch());
        out.printf(Locale.ROOT, "ROUGE-L F1   %.4f%n", s.rougeL());
        if (loss != null) {
            out.printf(Locale.ROOT, "loss of %s on the reference outputs %.4f (perplexity %.2f, %d tokens)%n", model,
                    loss.loss(), loss.perplexity(), loss.tokens());
        }
    }

    private void printJudged(PrintWriter out, JudgeReport r, JudgeClient client) {
        if (json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("average", r.average());
            o.put("scored", r.scored());
            o.put("failed", r.failed());
            ObjectNode h = o.putObject("histogram");
            r.histogram().forEach(h::put);
            out.println(o);
            return;
        }
        out.printf(Locale.ROOT, "judge %s (%s at %s): %d scored, %d without a score%n", judgeModel,
                client.api().name().toLowerCase(Locale.ROOT), judge, r.scored(), r.failed());
        out.printf(Locale.ROOT, "average score %.2f%n", r.average());
        int most = r.histogram().values().stream().max(Integer::compare).orElse(1);
        for (Map.Entry<String, Integer> b : r.histogram().entrySet()) {
            int bar = most == 0 ? 0 : Math.round(40f * b.getValue() / most);
            out.printf(Locale.ROOT, "%7s %5d %s%n", b.getKey(), b.getValue(), "#".repeat(bar));
        }
    }
}
