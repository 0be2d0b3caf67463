package dev.jllm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.arch.LoadedModel;
import dev.jllm.io.ModelFiles;
import dev.jllm.io.DecoderFiles;
import dev.jllm.model.DecoderConfig;
import dev.jllm.io.gguf.GgufDecoder;
import dev.jllm.io.gguf.GgufFile;
import dev.jllm.io.gguf.GgufGpt2;
import dev.jllm.model.GptConfig;
import dev.jllm.model.ModelConfig;
import dev.jllm.model.ModelStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jllm info}: a model's sizes, parameter count, compute per token and training memory. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Config, parameter count, FLOPs per token and memory estimates of a model.")
final class InfoCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR|NAME", description = "Model folder or downloaded model name.")
    String model;

    @Option(names = "--config", paramLabel = "NAME", description = "A preset instead of a model: "
            + "gpt2-small, gpt2-medium, gpt2-large, gpt2-xl, llama3.2-1b, qwen3-0.6b, gemma3-270m.")
    String config;

    @Option(names = "--batch", defaultValue = "1", description = "Batch size of the memory estimate (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--context", paramLabel = "T", description = "Sequence length of the estimates (default: the model's context).")
    Integer context;

    @Option(names = "--json", description = "Print the numbers as JSON.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if ((model == null) == (config == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give exactly one of --model DIR and --config NAME");
        }
        ModelConfig c = config != null ? preset(config) : configOf(LoadedModel.resolve(model));
        int t = context != null ? context : c.contextLength();
        if (batch < 1 || t < 1) throw new IllegalArgumentException("--batch and --context must be positive");
        ModelStats.Memory m = c.trainingMemory(batch, t);
        long parameters = c.parameterCount();

        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.set("config", mapper.valueToTree(c));
        root.put("parameters", parameters);
        root.put("forward_flops_per_token", c.forwardFlopsPerToken(t));
        root.put("training_flops_per_token", c.trainingFlopsPerToken(t));
        memoryJson(root, m, t, c.kvCacheBytes(t)).put("parameters_bf16", 2 * parameters);

        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(mapper.writeValueAsString(root));
        } else {
            out.printf("model      %s (%s)%n", model != null ? model : config, c.architecture());
            describe(c, out);
            out.printf("parameters %,d (%.1fM)%n", parameters, parameters / 1e6);
            out.printf("FLOPs      %s per token forward, %s per token training (at context %d)%n",
                    giga(c.forwardFlopsPerToken(t)), giga(c.trainingFlopsPerToken(t)), t);
            out.printf("memory     fp32 training at batch %d x %d: weights %s + gradients %s + AdamW %s + activations ~%s"
                    + " = ~%s%n", batch, t, bytes(m.parameters()), bytes(m.gradients()), bytes(m.optimizer()),
                    bytes(m.activations()), bytes(m.total()));
            out.printf("           inference: weights %s in fp32 or %s in bf16 + KV cache %s at %d positions%n",
                    bytes(m.parameters()), bytes(2 * parameters), bytes(c.kvCacheBytes(t)), t);
        }
        out.flush();
        return 0;
    }

    /** The config line(s) of the text report, in each architecture's own terms. */
    private static void describe(ModelConfig config, PrintWriter out) {
        switch (config) {
            case GptConfig c -> out.printf("config     vocab %d, context %d, emb %d, %d heads, %d layers, dropout %.2f,"
                            + " qkv bias %s, %s head%n", c.vocabSize(), c.contextLength(), c.embDim(), c.nHeads(),
                    c.nLayers(), c.dropRate(), c.qkvBias() ? "on" : "off", c.tiedHead() ? "tied" : "separate");
            case DecoderConfig c -> {
                int global = (int) c.slidingLayers().stream().filter(s -> !s).count();
                out.printf("config     vocab %d, context %d, hidden %d, intermediate %d, %d layers, %d heads, %d kv heads,"
                                + " head_dim %d, %s head%n", c.vocabSize(), c.contextLength(), c.hiddenSize(),
                        c.intermediateSize(), c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(),
                        c.tiedHead() ? "tied" : "separate");
                out.printf("           rope theta %.0f (%s)%s%s%n", c.rope().theta(), c.rope().type(),
                        c.slidingWindow() > 0 ? String.format(Locale.ROOT, ", %d local layers (window %d, rope theta %.0f)"
                                + " and %d global", c.nLayers() - global, c.slidingWindow(), c.localRope().theta(), global) : "",
                        c.finalLogitSoftcap() > 0 ? ", logits soft-capped at " + c.finalLogitSoftcap() : "");
            }
            default -> out.printf("config     vocab %d, context %d, emb %d, %d layers, %d heads, %d kv heads, head_dim %d,"
                            + " %s head%n", config.vocabSize(), config.contextLength(), config.embDim(), config.nLayers(),
                    config.nHeads(), config.nKvHeads(), config.headDim(), config.tiedHead() ? "tied" : "separate");
        }
    }

    /** A preset by name: GPT-2's, or a Llama / Qwen3 / Gemma 3 one. */
    private static ModelConfig preset(String name) {
        return DecoderConfig.isPreset(name) ? DecoderConfig.preset(name) : GptConfig.preset(name);
    }

    /** The memory_bytes object of --json. */
    private ObjectNode memoryJson(ObjectNode root, ModelStats.Memory m, int t, long kvCache) {
        ObjectNode mem = root.putObject("memory_bytes");
        mem.put("batch", batch);
        mem.put("context", t);
        mem.put("parameters", m.parameters());
        mem.put("gradients", m.gradients());
        mem.put("adamw_state", m.optimizer());
        mem.put("activations", m.activations());
        mem.put("training_total", m.total());
        mem.put("kv_cache", kvCache);
        return mem;
    }

    private static String giga(double flops) {
        return String.format(Locale.ROOT, "%.3f GFLOP", flops / 1e9);
    }

    private static String bytes(long b) {
        return b >= 1L << 30 ? String.format(Locale.ROOT, "%.2f GiB", b / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.1f MiB", b / (double) (1L << 20));
    }

    /** The config of a model folder, weights file or GGUF file, read without its weights where the format allows. */
    private static ModelConfig configOf(Path path) throws IOException {
        if (DecoderFiles.isDecoderFolder(path)) return DecoderFiles.config(path);
        if (!GgufFile.isGguf(path)) return ModelFiles.load(path).config();
        try (GgufFile f = GgufFile.open(path)) {
            if (GgufDecoder.ARCHITECTURES.containsKey(f.architecture())) return GgufDecoder.config(f);
            if (!f.architecture().equals(GgufGpt2.ARCHITECTURE)) {
                throw new IllegalArgumentException(path + ": info reads gpt2, llama, qwen3 and gemma3 models; this GGUF file is "
                        + f.architecture());
            }
            return GgufGpt2.read(f).config();
        }
    }
}
