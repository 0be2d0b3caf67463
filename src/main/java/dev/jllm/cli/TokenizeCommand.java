package dev.jllm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.io.TextFiles;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import dev.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jllm tokenize}: text to token ids (and pieces), or ids back to text with {@code --decode}. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Encode text into GPT-2 token ids, or decode ids back into text.")
final class TokenizeCommand implements Callable<Integer> {

    @Option(names = "--vocab", paramLabel = "DIR",
            description = "Vocabulary folder (vocab.json + merges.txt, encoder.json + vocab.bpe, or a .tiktoken file); "
                    + "default: GPT-2's built-in vocabulary.")
    Path vocab;

    @Option(names = "--allowed-special", paramLabel = "NAMES", split = ",",
            description = "Special tokens to encode as their ids (e.g. <|endoftext|>), comma-separated, or 'all'.")
    List<String> allowedSpecial = List.of();

    @Option(names = "--file", paramLabel = "F", description = "Encode the contents of this UTF-8 file.")
    Path file;

    @Parameters(arity = "0..1", paramLabel = "TEXT", description = "The text to encode.")
    String text;

    @Option(names = "--decode", description = "Decode the ids given with --ids instead of encoding.")
    boolean decode;

    @Option(names = "--ids", paramLabel = "IDS", split = ",", description = "Token ids to decode, comma-separated.")
    int[] ids;

    @Option(names = "--json", description = "Print JSON: {\"ids\": [...], \"count\": N} (with --decode: {\"text\": ...}).")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Tokenizer tokenizer = vocab == null ? Gpt2Tokenizer.builtIn() : Gpt2Tokenizer.load(vocab);
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper mapper = new ObjectMapper();
        if (decode) {
            if (ids == null) throw new CommandLine.ParameterException(spec.commandLine(), "--decode needs --ids 1,2,3");
            String decoded = tokenizer.decode(ids);
            out.println(json ? mapper.writeValueAsString(mapper.createObjectNode().put("text", decoded)) : decoded);
        } else {
            int[] encoded = tokenizer.encode(input(), allowed(tokenizer));
            if (json) {
                ObjectNode node = mapper.createObjectNode();
                Arrays.stream(encoded).forEach(node.putArray("ids")::add);
                node.put("count", encoded.length);
                out.println(mapper.writeValueAsString(node));
            } else {
                String[] pieces = Arrays.stream(encoded)
                        .mapToObj(id -> quote(mapper, tokenizer.decode(new int[] {id}))).toArray(String[]::new);
                out.println("ids:    " + Arrays.toString(encoded));
                out.println("pieces: [" + String.join(", ", pieces) + "]");
                out.println("count:  " + encoded.length);
            }
        }
        out.flush();
        return 0;
    }

    private String input() throws IOException {
        if ((text == null) == (file == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give either TEXT or --file F (exactly one)");
        }
        if (file == null) return text;
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": file not found");
        return TextFiles.read(file);
    }

    private Set<String> allowed(Tokenizer tokenizer) {
        if (allowedSpecial.contains("all")) return tokenizer.specialTokens().keySet();
        return new LinkedHashSet<>(allowedSpecial);
    }

    private static String quote(ObjectMapper mapper, String s) {
        try {
            return mapper.writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
