package dev.jllm.cli;

import dev.jllm.io.DecoderFiles;
import dev.jllm.io.Dtype;
import dev.jllm.io.ModelFiles;
import dev.jllm.model.DecoderConfig;
import dev.jllm.model.DecoderModel;
import dev.jllm.io.StateDict;
import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.model.InitScheme;
import dev.jllm.model.ModelStats;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jllm init}: a randomly initialised GPT-2 model folder, for experiments and as a training start. */
@Command(name = "init", mixinStandardHelpOptions = true, description = "Write a model folder with random weights (Hugging Face layout).")
final class InitCommand implements Callable<Integer> {

    @Option(names = "--config", defaultValue = "gpt2-small", paramLabel = "NAME",
            description = "gpt2-small, gpt2-medium, gpt2-large, gpt2-xl, llama3.2-1b, qwen3-0.6b, gemma3-270m, or"
                    + " custom (GPT-2; then give --emb, --layers, --heads); the size options below override a preset"
                    + " (default: ${DEFAULT-VALUE}).")
    String config;

    @Option(names = "--emb", description = "Embedding width.")
    Integer emb;

    @Option(names = "--layers", description = "Transformer blocks.")
    Integer layers;

    @Option(names = "--heads", description = "Attention heads.")
    Integer heads;

    @Option(names = "--context", description = "Context length.")
    Integer context;

    @Option(names = "--vocab", description = "Vocabulary size (GPT-2's tokenizer files are written only for 50257).")
    Integer vocab;

    @Option(names = "--drop-rate", description = "Dropout rate used in training.")
    Float dropRate;

    @Option(names = "--qkv-bias", negatable = true, description = "Query/key/value projections with bias (default: on).")
    Boolean qkvBias;

    @Option(names = "--tied-head", negatable = true, description = "Output head tied to the token embedding (default: on).")
    Boolean tiedHead;

    @Option(names = "--kv-heads", description = "Key/value heads (Llama, Qwen3, Gemma 3).")
    Integer kvHeads;

    @Option(names = "--head-dim", description = "Size of an attention head (Llama, Qwen3, Gemma 3).")
    Integer headDim;

    @Option(names = "--intermediate", description = "Width of the feed-forward layer (Llama, Qwen3, Gemma 3).")
    Integer intermediate;

    @Option(names = "--dtype", defaultValue = "bf16", paramLabel = "bf16|fp32",
            description = "Weight type of a Llama, Qwen3 or Gemma 3 model (default: ${DEFAULT-VALUE}, as published).")
    String dtype;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the initialisation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--weights-init", defaultValue = "gpt2", paramLabel = "gpt2|pytorch",
            description = "GPT-2's initialisation, or PyTorch's defaults as the book's GPTModel"
                    + " (default: ${DEFAULT-VALUE}).")
    String weightsInit;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to create.")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out) && (!Files.isDirectory(out) || !isEmpty(out))) {
            throw new IllegalArgumentException(out + " already exists and is not an empty folder");
        }
        if (DecoderConfig.isPreset(config)) return initDecoder();
        GptConfig c = buildConfig();
        GptModel model = GptModel.create(c, seed, InitScheme.of(weightsInit));
        StateDict weights = new StateDict();
        model.stateDict().forEach(weights::put);
        ModelFiles.save(out, c, weights);
        boolean gpt2Vocab = c.vocabSize() == GptConfig.GPT2_VOCAB;
        if (gpt2Vocab) Gpt2Tokenizer.builtIn().save(out);
        spec.commandLine().getOut().printf("wrote %s: %,d parameters (emb %d, %d layers, %d heads, context %d, vocab %d)%s%n",
                out, ModelStats.parameterCount(c), c.embDim(), c.nLayers(), c.nHeads(), c.contextLength(), c.vocabSize(),
                gpt2Vocab ? " with GPT-2's tokenizer" : "; no tokenizer files (the vocabulary is not GPT-2's)");
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** A random Llama, Qwen3 or Gemma 3 model in Hugging Face's layout (transformers' initialisation). */
    private int initDecoder() throws java.io.IOException {
        if (qkvBias != null || dropRate != null || !weightsInit.equals("gpt2")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--qkv-bias, --drop-rate and --weights-init are GPT-2 options");
        }
        Dtype type = switch (dtype) {
            case "bf16" -> Dtype.BF16;
            case "fp32" -> Dtype.F32;
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--dtype must be bf16 or fp32");
        };
        DecoderConfig base = DecoderConfig.preset(config);
        int hd = headDim != null ? headDim : base.headDim();
        DecoderConfig c = base.withSizes(emb != null ? emb : base.hiddenSize(),
                intermediate != null ? intermediate : base.intermediateSize(), layers != null ? layers : base.nLayers(),
                heads != null ? heads : base.nHeads(), kvHeads != null ? kvHeads : base.nKvHeads(), hd);
        if (vocab != null) c = c.withVocabSize(vocab);
        if (context != null) c = c.withMaxPositions(context);
        if (tiedHead != null) c = c.withTiedHead(tiedHead);
        DecoderModel model = DecoderModel.create(c, seed);
        DecoderFiles.save(out, model, type);
        spec.commandLine().getOut().printf("wrote %s: %s, %,d parameters (hidden %d, %d layers, %d heads, %d kv heads,"
                        + " head_dim %d, context %d, vocab %d, %s); no tokenizer files%n", out, c.family().modelType,
                c.parameterCount(), c.hiddenSize(), c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(),
                c.contextLength(), c.vocabSize(), dtype);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private GptConfig buildConfig() {
        GptConfig base;
        if (config.equalsIgnoreCase("custom")) {
            if (emb == null || layers == null || heads == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--config custom needs --emb, --layers and --heads");
            }
            base = GptConfig.preset("gpt2-small");
        } else {
            base = GptConfig.preset(config);
        }
        return new GptConfig(vocab != null ? vocab : base.vocabSize(), context != null ? context : base.contextLength(),
                emb != null ? emb : base.embDim(), heads != null ? heads : base.nHeads(),
                layers != null ? layers : base.nLayers(), dropRate != null ? dropRate : base.dropRate(),
                qkvBias != null ? qkvBias : base.qkvBias(), tiedHead != null ? tiedHead : base.tiedHead());
    }

    private static boolean isEmpty(Path dir) throws java.io.IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.findAny().isEmpty();
        }
    }
}
