package dev.jllm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.arch.LoadedModel;
import dev.jllm.io.TextFiles;
import dev.jllm.model.Perplexity;
import dev.jllm.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jllm perplexity}: how well a model predicts a text. */
@Command(name = "perplexity", mixinStandardHelpOptions = true, description = "Mean next-token cross-entropy and perplexity of a model on a text.")
final class PerplexityCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR|NAME", description = "Model folder or downloaded model name.")
    String model;

    @Option(names = "--file", paramLabel = "FILE", description = "Text file to score (UTF-8).")
    Path file;

    @Option(names = "--ids", paramLabel = "1,2,3", description = "Token ids to score instead of a file.")
    String ids;

    @Option(names = "--context", paramLabel = "N", description = "Tokens of history per window (default: the model's context).")
    Integer context;

    @Option(names = "--stride", paramLabel = "S", description = "Tokens between window starts (default: the context).")
    Integer stride;

    @Option(names = "--json", description = "Print {loss, perplexity, tokens} as JSON.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if ((file == null) == (ids == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give exactly one of --file F and --ids 1,2,3");
        }
        LoadedModel loaded = LoadedModel.load(model);
        int[] tokens = ids != null ? TokenIds.parse(ids)
                : encodeFile(loaded);
        int n = context != null ? context : loaded.model().config().contextLength();
        Perplexity.Result r = Perplexity.of(loaded.model(), tokens, n, stride != null ? stride : n);
        if (json) {
            ObjectNode node = new ObjectMapper().createObjectNode();
            node.put("loss", r.loss());
            node.put("perplexity", r.perplexity());
            node.put("tokens", r.tokens());
            spec.commandLine().getOut().println(node);
        } else {
            spec.commandLine().getOut().printf("loss %.4f, perplexity %.2f over %d tokens%n", r.loss(), r.perplexity(),
                    r.tokens());
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The file's tokens; special tokens written in it (such as {@code <|endoftext|>} between documents) count as such. */
    private int[] encodeFile(LoadedModel loaded) throws java.io.IOException {
        Tokenizer tokenizer = loaded.requireTokenizer("use --ids");
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such file");
        return tokenizer.encode(TextFiles.read(file), tokenizer.specialTokens().keySet());
    }
}
