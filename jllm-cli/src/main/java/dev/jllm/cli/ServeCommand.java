package dev.jllm.cli;

import dev.jllm.arch.LoadedModel;
import dev.jllm.finetune.classify.ClassifierInfo;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.chat.ChatTemplate;
import dev.jllm.serve.Classifier;
import dev.jllm.serve.JllmServer;
import dev.jllm.serve.ServedModel;
import dev.jllm.serve.ServerOptions;
import dev.jllm.tokenizer.HfTokenizer;
import dev.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code jllm serve}: an OpenAI-compatible API and a chat page for one model, until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Serve a model over HTTP: OpenAI-compatible API (/v1/completions, "
        + "/v1/chat/completions, /v1/models, /v1/classify, /health) and a chat page at /.")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR|NAME",
            description = "Model folder (or .safetensors file), or a downloaded model's name such as gpt2-124M.")
    String model;

    @Option(names = "--port", defaultValue = "8080", description = "TCP port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"--max-batch", "--max-concurrent"}, defaultValue = "8", paramLabel = "N",
            description = "Generations decoded together in one continuous batch (default: ${DEFAULT-VALUE}); "
                    + "--max-concurrent is the older name.")
    int maxConcurrent;

    @Option(names = "--queue", defaultValue = "16", paramLabel = "N",
            description = "Requests that may wait for a free slot; more are answered 503 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Require 'Authorization: Bearer KEY' on every "
            + "API request, as OpenAI clients send their key (default: the JLLM_API_KEY environment variable; none "
            + "when unset). The chat page asks for it.")
    String apiKey;

    @Option(names = "--drain-seconds", defaultValue = "10", paramLabel = "S",
            description = "On SIGTERM or Ctrl-C, let running generations finish for up to S seconds; streams still "
                    + "open then end with an error event (default: ${DEFAULT-VALUE}).")
    int drainSeconds;

    @Option(names = "--format", defaultValue = "none", paramLabel = "alpaca|phi3|none",
            description = "How chat messages become a prompt: the instruction format the model was finetuned with, "
                    + "or none to join the messages as plain text (base models; default: ${DEFAULT-VALUE}).")
    String format;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (drainSeconds < 0) throw new IllegalArgumentException("--drain-seconds must be >= 0, got " + drainSeconds);
        String key = apiKey != null ? apiKey : System.getenv("JLLM_API_KEY");
        ServerOptions options = new ServerOptions(checkedHost(host), port, maxConcurrent, queue, key);
        PromptFormat promptFormat = format.equalsIgnoreCase("none") ? null : PromptFormat.named(format);
        LoadedModel loaded = LoadedModel.load(model);
        Tokenizer tokenizer = loaded.requireTokenizer("jllm serve needs one to read and write text");
        ChatTemplate template = tokenizer instanceof HfTokenizer ? ChatTemplate.find(loaded.path()) : null;
        ServedModel served = new ServedModel(modelName(loaded.path()), loaded.model(), tokenizer, loaded.endId(),
                promptFormat, classifierIn(loaded.path()), template, loaded.endIds());
        CountDownLatch stopped = new CountDownLatch(1);
        PrintWriter err = spec.commandLine().getErr();
        try (JllmServer server = new JllmServer(served, options).start()) {
            // The JVM ends once its shutdown hooks return: the drain happens inside the hook.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                int open = server.inFlight();
                if (open > 0) {
                    err.printf("jllm: stopping: %d generation(s) in flight, waiting up to %d s%n", open, drainSeconds);
                    err.flush();
                }
                int cut = server.shutdown(Duration.ofSeconds(drainSeconds));
                if (cut > 0) err.printf("jllm: stopped %d generation(s) that were still running%n", cut);
                err.flush();
                stopped.countDown();
            }, "jllm-serve-shutdown"));
            err.printf("jllm: serving %s: chat page at %s/, OpenAI-compatible API at %s/v1%s%n", served.name(),
                    server.url(), server.url(), key != null ? " (API key required)" : "");
            String warning = options.exposureWarning();
            if (warning != null) err.println(warning);
            err.flush();
            stopped.await();
        }
        return 0;
    }

    /** {@code --host} as given, once it is known to be an address of this machine (else a clear error, not Javalin's). */
    static String checkedHost(String host) {
        java.net.InetAddress address;
        try {
            address = java.net.InetAddress.getByName(host);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("--host " + host + ": not an address or a known host name");
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.bind(new java.net.InetSocketAddress(address, 0));
        } catch (IOException e) {
            throw new IllegalArgumentException("--host " + host + ": not an address of this machine (" + e.getMessage() + ")");
        }
        return host;
    }

    /** The classifier of a folder written by {@code jllm finetune classify}, or null for a plain language model. */
    static Classifier classifierIn(Path path) throws IOException {
        if (!Files.isRegularFile(path.resolve(ClassifierInfo.FILE))) return null;
        dev.jllm.finetune.classify.Classifier classifier = dev.jllm.finetune.classify.Classifier.load(path);
        return text -> {
            dev.jllm.finetune.classify.Classifier.Classification c = classifier.classify(text);
            return new Classifier.Classification(c.label(), c.probabilities());
        };
    }

    /** The API's model id: the folder's name (a file's name without its extension). */
    static String modelName(Path path) {
        Path name = path.toAbsolutePath().normalize().getFileName();
        String s = name == null ? "model" : name.toString();
        return s.endsWith(".safetensors") ? s.substring(0, s.length() - ".safetensors".length()) : s;
    }
}
