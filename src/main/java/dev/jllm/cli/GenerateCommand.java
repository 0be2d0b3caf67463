package dev.jllm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.generate.GenerationOptions;
import dev.jllm.generate.Generator;
import dev.jllm.generate.TextStreamer;
import dev.jllm.generate.WeightType;
import dev.jllm.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
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

    @Option(names = "--seed", defaultValue = "42", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when this text appears (repeatable).")
    List<String> stops = List.of();

    @Option(names = "--no-kv-cache", description = "Recompute the whole window for every token (slow; as the book's code).")
    boolean noKvCache;

    @Option(names = "--dtype", defaultValue = "fp32", paramLabel = "fp32|bf16",
            description = "Weights streamed per token: fp32, or bf16 (half the bytes; needs the KV cache).")
    WeightType dtype;

    @Option(names = "--json", description = "Print {prompt_ids, ids, text, tokens_per_second} as JSON instead of streaming.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        int given = (prompt != null ? 1 : 0) + (positionalPrompt != null ? 1 : 0) + (promptIds != null ? 1 : 0);
        if (given != 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give exactly one of --prompt TEXT and --prompt-ids 1,2,3");
        }
        if (stops.stream().anyMatch(String::isEmpty)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--stop needs a text to stop at, not ''");
        }
        if (dtype == WeightType.BF16 && noKvCache) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--dtype bf16 needs the KV cache (drop --no-kv-cache)");
        }
        LoadedModel loaded = LoadedModel.load(model);
        Tokenizer tokenizer = loaded.tokenizer();
        String text = prompt != null ? prompt : positionalPrompt;
        int[] ids = promptIds != null ? LoadedModel.parseIds(promptIds)
                : loaded.requireTokenizer("use --prompt-ids").encode(text);
        if (!stops.isEmpty()) loaded.requireTokenizer("--stop needs one");

        GenerationOptions options = new GenerationOptions(maxTokens, temperature, topK, topP, seed, !noKvCache,
                loaded.endId(), stops);
        PrintWriter out = spec.commandLine().getOut();
        Generator generator = new Generator(loaded.model(), w -> spec.commandLine().getErr().println("jllm: warning: " + w),
                dtype);

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

    private static String idList(int[] ids) {
        StringBuilder s = new StringBuilder();
        for (int id : ids) s.append(s.isEmpty() ? "" : " ").append(id);
        return s.toString();
    }
}
