package dev.jllm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.chat.ChatTemplate;
import dev.jllm.io.TextFiles;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import dev.jllm.tokenizer.HfTokenizer;
import dev.jllm.tokenizer.SpecialTokenException;
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
        description = "Encode text into token ids (GPT-2's vocabulary, or a Hugging Face tokenizer.json), "
                + "or decode ids back into text.")
final class TokenizeCommand implements Callable<Integer> {

    @Option(names = "--vocab", paramLabel = "DIR",
            description = "Vocabulary folder: a Hugging Face tokenizer.json (Llama 3, Qwen3, Gemma 3...), vocab.json + "
                    + "merges.txt, encoder.json + vocab.bpe, or a .tiktoken file; default: GPT-2's built-in vocabulary.")
    Path vocab;

    @Option(names = "--allowed-special", paramLabel = "NAMES", split = ",",
            description = "Special tokens to encode as their ids (e.g. <|endoftext|>), comma-separated, or 'all'; any "
                    + "other special token in the text is an error. Default: none for GPT-2 style vocabularies (tiktoken's "
                    + "rule), all for a tokenizer.json (as the tokenizers library does).")
    List<String> allowedSpecial = List.of();

    @Option(names = "--special-as-text",
            description = "Encode special tokens found in the text as ordinary text (tiktoken's disallowed_special=(), "
                    + "the tokenizers library's split_special_tokens); added tokens that are not special, such as "
                    + "Qwen3's <think>, are still matched.")
    boolean specialAsText;

    @Option(names = "--no-add-special-tokens",
            description = "With a tokenizer.json: leave out the tokens its post-processor adds (Gemma's <bos>), as "
                    + "add_special_tokens=False does.")
    boolean noAddSpecialTokens;

    @Option(names = "--messages", paramLabel = "FILE.json",
            description = "Render a conversation (a JSON list of {\"role\", \"content\"}) with the chat template of "
                    + "--vocab DIR (tokenizer_config.json) and encode it; --json prints {\"text\", \"ids\", \"count\"}.")
    Path messages;

    @Option(names = "--no-generation-prompt", description = "With --messages: no prompt for the assistant's reply at the end.")
    boolean noGenerationPrompt;

    @Option(names = "--no-thinking", description = "With --messages: enable_thinking=false (Qwen3: an empty think block).")
    boolean noThinking;

    @Option(names = "--skip-special-tokens", description = "With --decode: leave special tokens out of the text.")
    boolean skipSpecialTokens;

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
        Tokenizer tokenizer = vocab == null ? Gpt2Tokenizer.builtIn() : Tokenizer.load(vocab);
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper mapper = new ObjectMapper();
        if (messages != null) {
            renderMessages(tokenizer, out, mapper);
        } else if (decode) {
            if (ids == null) throw new CommandLine.ParameterException(spec.commandLine(), "--decode needs --ids 1,2,3");
            String decoded = tokenizer.decode(ids, skipSpecialTokens);
            out.println(json ? mapper.writeValueAsString(mapper.createObjectNode().put("text", decoded)) : decoded);
        } else {
            int[] encoded = encode(tokenizer, input());
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

    private void renderMessages(Tokenizer tokenizer, PrintWriter out, ObjectMapper mapper) throws IOException {
        if (vocab == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--messages needs --vocab DIR (a folder with tokenizer_config.json)");
        }
        if (text != null || file != null || decode) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--messages takes no TEXT, --file or --decode");
        }
        ChatTemplate template = ChatTemplate.load(vocab);
        String rendered = template.render(ChatTemplate.readMessages(messages), !noGenerationPrompt, noThinking ? Boolean.FALSE : null);
        int[] encoded = tokenizer.encodeWithSpecials(rendered);
        if (json) {
            ObjectNode node = mapper.createObjectNode();
            node.put("text", rendered);
            Arrays.stream(encoded).forEach(node.putArray("ids")::add);
            node.put("count", encoded.length);
            out.println(mapper.writeValueAsString(node));
        } else {
            out.println("text:   " + quote(mapper, rendered));
            out.println("ids:    " + Arrays.toString(encoded));
            out.println("count:  " + encoded.length);
        }
    }

    private String input() throws IOException {
        if ((text == null) == (file == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give either TEXT or --file F (exactly one)");
        }
        if (file == null) return text;
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": file not found");
        return TextFiles.read(file);
    }

    private int[] encode(Tokenizer tokenizer, String text) {
        if (specialAsText && !allowedSpecial.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --allowed-special or --special-as-text, not both");
        }
        int[] ids;
        if (specialAsText) {
            ids = tokenizer.encodeOrdinary(text);
        } else if (allowedSpecial.isEmpty() && tokenizer instanceof HfTokenizer) {
            ids = tokenizer.encodeWithSpecials(text);
        } else {
            try {
                ids = tokenizer.encode(text, allowed(tokenizer));
            } catch (SpecialTokenException e) {
                throw new IllegalArgumentException("the text contains the special token " + e.token()
                        + "; allow it to encode it as id " + e.id()
                        + " (--allowed-special), or encode it as ordinary text (--special-as-text)");
            }
        }
        return tokenizer instanceof HfTokenizer hf && !noAddSpecialTokens ? hf.addSpecialTokens(ids) : ids;
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
