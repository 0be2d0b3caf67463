package dev.jllm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.generate.BatchGenerator;
import dev.jllm.arch.LoadedModel;
import dev.jllm.io.TextFiles;
import dev.jllm.generate.GenerationOptions;
import dev.jllm.generate.Generator;
import dev.jllm.generate.TextStreamer;
import dev.jllm.model.CausalLM;
import dev.jllm.model.WeightType;
import dev.jllm.tensor.Tensor;
import dev.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jllm generate}: continue a prompt, streaming the text as it is produced. */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Continue a prompt with a GPT model (greedy or sampled), streaming the text.")
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR|NAME",
            description = "Model folder (or .safetensors file), or a downloaded model's name such as gpt2-124M.")
    String model;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "The text to continue.")
    String prompt;

    @Parameters(arity = "0..1", paramLabel = "PROMPT", description = "The text to continue (instead of --prompt).")
    String positionalPrompt;

    @Option(names = "--prompt-ids", paramLabel = "1,2,3", description = "The prompt as token ids (no tokenizer needed).")
    String promptIds;

    @Option(names = "--max-tokens", defaultValue = "50", description = "Most new tokens (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0",
            description = "0 for greedy decoding, else sample from softmax(logits / T) (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Sample among the K most likely tokens (0: all).")
    int topK;

    @Option(names = "--top-p", defaultValue = "1", description = "Sample from the nucleus of probability P (1: off).")
    float topP;

    @Mixin
    SamplingSeedOption sampling;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when this text appears (repeatable).")
    List<String> stops = List.of();

    @Option(names = "--ignore-eos", description = "Generate all --max-tokens tokens: the model's end tokens (its tokenizer's,"
            + " and eos_token_id of generation_config.json and config.json) do not stop it.")
    boolean ignoreEos;

    @Option(names = "--no-kv-cache", description = "Recompute the whole window for every token (slow; as the book's code).")
    boolean noKvCache;

    @Option(names = "--dtype", paramLabel = "fp32|bf16|q8_0|q4_0|q4_k",
            description = "Weights streamed per token: fp32 (a GGUF file's blocks dequantized), bf16 (half the bytes), or"
                    + " q8_0, q4_0, q4_k (ggml blocks, quantized on load); all need the KV cache. Default: a GGUF file's own"
                    + " blocks, else fp32.")
    WeightType dtype;

    @Option(names = "--json", description = "Print {prompt_ids, ids, text, tokens_per_second} as JSON instead of streaming "
            + "(with --batch-file: one JSON line per prompt).")
    boolean json;

    @Option(names = "--batch-file", paramLabel = "PROMPTS.txt", description = "Generate for every line of the file (one "
            + "prompt per line, blank lines skipped) together, in one continuous batch.")
    Path batchFile;

    @Option(names = "--max-batch", defaultValue = "8", paramLabel = "N",
            description = "With --batch-file: sequences decoded together at most (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        int given = (prompt != null ? 1 : 0) + (positionalPrompt != null ? 1 : 0) + (promptIds != null ? 1 : 0);
        if (batchFile != null) {
            if (given != 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--batch-file takes the prompts from the "
                        + "file: give no --prompt, PROMPT or --prompt-ids");
            }
            if (dtype == WeightType.BF16 || noKvCache) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--batch-file decodes float32 weights with "
                        + "the KV cache: drop --dtype bf16 and --no-kv-cache");
            }
            return batch();
        }
        if (given != 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give exactly one of --prompt TEXT and --prompt-ids 1,2,3");
        }
        if (stops.stream().anyMatch(String::isEmpty)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--stop needs a text to stop at, not ''");
        }
        if (dtype != null && dtype != WeightType.FP32 && noKvCache) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--dtype " + dtype.name().toLowerCase(java.util.Locale.ROOT)
                    + " needs the KV cache (drop --no-kv-cache)");
        }
        LoadedModel loaded = load();
        Tokenizer tokenizer = loaded.tokenizer();
        String text = prompt != null ? prompt : positionalPrompt;
        int[] ids = promptIds != null ? TokenIds.parse(promptIds)
                : loaded.requireTokenizer("use --prompt-ids").encode(text);
        if (!stops.isEmpty()) loaded.requireTokenizer("--stop needs one");

        GenerationOptions options = new GenerationOptions(maxTokens, temperature, topK, topP, sampling.seed, !noKvCache,
                endIds(loaded), stops);
        PrintWriter out = spec.commandLine().getOut();
        java.util.function.Consumer<String> warn = w -> spec.commandLine().getErr().println("jllm: warning: " + w);
        Generator generator = dtype == null && loaded.blocks() != null && !noKvCache
                ? new Generator(loaded.model(), warn, loaded.blocks())
                : new Generator(loaded.model(), warn, dtype == null || held ? WeightType.FP32 : dtype); // FP32: as the model holds them

        TextStreamer streamer = tokenizer == null ? null : new TextStreamer(tokenizer, stops, piece -> {
            if (!json) {
                out.print(piece);
                out.flush();
            }
        });
        if (!json) {
            out.print(tokenizer != null ? tokenizer.decode(ids) : idList(ids) + " ->");
            out.flush();
        }
        long start = System.nanoTime();
        int[] newIds = generator.generate(ids, options, id -> {
            if (streamer != null) return streamer.onToken(id);
            if (!json) {
                out.print(" " + id);
                out.flush();
            }
            return true;
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        if (streamer != null) streamer.flush();
        double tokensPerSecond = newIds.length / Math.max(seconds, 1e-9);

        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode node = mapper.createObjectNode();
            node.set("prompt_ids", mapper.valueToTree(ids));
            node.set("ids", mapper.valueToTree(newIds));
            if (streamer != null) node.put("text", streamer.text());
            else node.putNull("text");
            node.put("tokens_per_second", Math.round(tokensPerSecond * 100) / 100.0);
            out.println(mapper.writeValueAsString(node));
        } else {
            out.println();
            spec.commandLine().getErr().printf("jllm: %d tokens in %.2f s (%.1f tokens/s)%n", newIds.length, seconds,
                    tokensPerSecond);
        }
        out.flush();
        return 0;
    }

    /** The tokens that end generation: the model's, or none with --ignore-eos. */
    private java.util.Set<Integer> endIds(LoadedModel loaded) {
        return ignoreEos ? java.util.Set.of() : loaded.endIds();
    }

    /** Whether {@link #load} made the model hold its weights as {@code --dtype} says (so the decoder streams its own). */
    private boolean held;

    /**
     * The model, its weights held as {@code --dtype} says where that changes what the model holds: quantized on load
     * (Llama, Qwen3, Gemma 3: the matrices become ggml blocks and the float32 ones are dropped), or a GGUF file's blocks
     * dequantized for {@code --dtype fp32}.
     */
    private LoadedModel load() throws IOException {
        LoadedModel loaded = LoadedModel.load(model);
        CausalLM m = null;
        if (dtype != null && dtype.quantized()) {
            m = loaded.model().quantized(dtype.ggml); // the float32 weights are not kept
        } else if (dtype == WeightType.FP32 && loaded.model().parameters().stream().anyMatch(Tensor::isQuantized)) {
            m = loaded.model().copy(null); // the float32 reference: the file's blocks dequantized
            m.eval();
        }
        held = m != null;
        return m == null ? loaded : new LoadedModel(m, loaded.tokenizer(), loaded.path(), null);
    }

    /** {@code --batch-file}: every prompt of the file generated together by a {@link BatchGenerator}. */
    private int batch() throws IOException {
        List<String> prompts = new ArrayList<>();
        for (String line : TextFiles.readLines(batchFile)) {
            if (!line.isBlank()) prompts.add(line);
        }
        if (prompts.isEmpty()) throw new IllegalArgumentException(batchFile + ": no prompts (one per line)");
        LoadedModel loaded = load();
        Tokenizer tokenizer = loaded.requireTokenizer("--batch-file prompts are text");
        GenerationOptions options = new GenerationOptions(maxTokens, temperature, topK, topP, sampling.seed, true,
                endIds(loaded), stops);
        BatchGenerator generator = new BatchGenerator(loaded.model(),
                BatchGenerator.Settings.of(maxBatch, loaded.model().config().contextLength()));
        List<int[]> promptIds = new ArrayList<>();
        List<TextStreamer> streamers = new ArrayList<>();
        List<BatchGenerator.Request> requests = new ArrayList<>();
        for (String p : prompts) {
            int[] ids = tokenizer.encode(p);
            TextStreamer streamer = new TextStreamer(tokenizer, stops, piece -> {});
            promptIds.add(ids);
            streamers.add(streamer);
            requests.add(generator.submit(ids, options, streamer::onToken));
        }
        long start = System.nanoTime();
        while (generator.step() || generator.busy()) {
            // every step advances each prompt in the batch by one token
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper mapper = new ObjectMapper();
        int tokens = 0;
        for (int i = 0; i < prompts.size(); i++) {
            TextStreamer streamer = streamers.get(i);
            streamer.flush();
            int[] newIds = requests.get(i).tokens();
            tokens += newIds.length;
            if (json) {
                ObjectNode node = mapper.createObjectNode().put("index", i).put("prompt", prompts.get(i));
                node.set("prompt_ids", mapper.valueToTree(promptIds.get(i)));
                node.set("ids", mapper.valueToTree(newIds));
                node.put("text", streamer.text());
                out.println(mapper.writeValueAsString(node));
            } else {
                out.println(prompts.get(i) + streamer.text());
                out.println();
            }
        }
        out.flush();
        spec.commandLine().getErr().printf("jllm: %d prompts, %d tokens in %.2f s (%.1f tokens/s together)%n",
                prompts.size(), tokens, seconds, tokens / Math.max(seconds, 1e-9));
        return 0;
    }

    private static String idList(int[] ids) {
        StringBuilder s = new StringBuilder();
        for (int id : ids) s.append(s.isEmpty() ? "" : " ").append(id);
        return s.toString();
    }
}
