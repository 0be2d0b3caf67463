package dev.jllm.cli;

import dev.jllm.arch.LoadedModel;
import dev.jllm.generate.GenerationOptions;
import dev.jllm.generate.Generator;
import dev.jllm.generate.TextStreamer;
import dev.jllm.prompt.Conversation;
import dev.jllm.prompt.ModelFormat;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.chat.ChatTemplate;
import dev.jllm.tokenizer.HfTokenizer;
import dev.jllm.tokenizer.Tokenizer;
import dev.jllm.tokenizer.Utf8;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code jllm chat}: talk to a model. On a terminal, lines are edited and kept in a history (JLine); from a pipe,
 * each input line is one message and only the replies are printed.
 */
@Command(name = "chat", mixinStandardHelpOptions = true, description = {
        "Chat with a model: each message is wrapped in the model's chat template (tokenizer_config.json beside a"
                + " tokenizer.json) or prompt format (from its run's config.json) and the reply is streamed; a model"
                + " without one (plain GPT-2) continues the text.",
        "Commands: /reset (forget the conversation), /temperature X, /exit."})
final class ChatCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR|NAME", description = "Model folder or name.")
    String model;

    @Option(names = "--format", paramLabel = "template|alpaca|phi3|none",
            description = "Prompt format; default: the model's chat template when it has one, else the format it was "
                    + "finetuned with, else none (completion).")
    String format;

    @Option(names = "--no-thinking", description = "With a chat template: enable_thinking=false (Qwen3 answers without "
            + "thinking); otherwise a thinking model's <think> part is shown dimmed.")
    boolean noThinking;

    @Option(names = "--max-tokens", defaultValue = "256", description = "Most tokens per reply (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0",
            description = "0: greedy; else sampling temperature (default: ${DEFAULT-VALUE}; /temperature changes it).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", description = "Sample among the K most likely tokens (default: ${DEFAULT-VALUE}).")
    int topK;

    @Mixin
    SamplingSeedOption sampling;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Where messages come from when standard input is not a terminal; tests replace it. */
    InputStream input = System.in;

    private static final String HELP = "commands: /reset, /temperature X, /exit";

    @Override
    public Integer call() throws Exception {
        LoadedModel loaded = LoadedModel.load(model);
        Tokenizer tokenizer = loaded.requireTokenizer("chat needs text");
        Conversation conversation = conversation(loaded, tokenizer);
        // A template's turns end at any of the model's end tokens: the EOS ends generation, the others stop it as text.
        List<String> stops = conversation.template() == null ? List.of()
                : ChatTemplate.endIds(tokenizer).stream().map(tokenizer::piece).toList();
        GenerationOptions options = new GenerationOptions(maxTokens, temperature, topK, 1f, sampling.seed, true,
                loaded.endIds(), List.of());
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        Generator generator = new Generator(loaded.model(), w -> err.println("jllm: warning: " + w));
        int context = loaded.model().config().contextLength();

        try (Lines lines = openLines()) {
            if (lines.interactive()) {
                out.printf("chatting with %s (%s); %s%n", loaded.path(), conversation.describe(), HELP);
                out.flush();
            }
            String line;
            while ((line = lines.next()) != null) {
                String message = line.strip();
                if (message.isEmpty()) continue;
                if (message.startsWith("/")) {
                    if (message.equals("/exit") || message.equals("/quit")) break;
                    options = command(message, conversation, options, out, err);
                    continue;
                }
                int[] ids = encode(tokenizer, conversation, message);
                // Older exchanges make room for the reply; one message that is too long is cropped by the generator.
                while (ids.length + options.maxNewTokens() > context && conversation.dropOldest()) {
                    ids = encode(tokenizer, conversation, message);
                }
                ThinkingDimmer dimmer = new ThinkingDimmer(lines.interactive());
                TextStreamer streamer = new TextStreamer(tokenizer, stops, piece -> {
                    out.print(dimmer.apply(piece));
                    out.flush();
                });
                generator.generate(ids, options, streamer);
                streamer.flush();
                out.print(dimmer.end());
                out.println();
                out.flush();
                conversation.add(message, conversation.reply(streamer.text()));
            }
        }
        return 0;
    }

    /** Handles /reset and /temperature; returns the options to use from now on. */
    private static GenerationOptions command(String message, Conversation conversation, GenerationOptions options,
                                             PrintWriter out, PrintWriter err) {
        String[] words = message.split("\\s+");
        switch (words[0]) {
            case "/reset" -> {
                conversation.reset();
                out.println("(conversation cleared)");
            }
            case "/temperature" -> {
                try {
                    if (words.length != 2) throw new IllegalArgumentException("/temperature takes one number, e.g. /temperature 0.7");
                    float t;
                    try {
                        t = Float.parseFloat(words[1]);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("'" + words[1] + "' is not a number");
                    }
                    options = options.withSampling(t, options.topK(), options.topP(), options.seed());
                    out.printf(Locale.ROOT, "(temperature %s)%n", t == 0 ? "0: greedy" : Float.toString(t));
                } catch (IllegalArgumentException e) {
                    err.println("jllm: " + e.getMessage());
                }
            }
            default -> err.println("jllm: unknown command " + words[0] + "; " + HELP);
        }
        out.flush();
        err.flush();
        return options;
    }

    /** The model's chat template (the default when it has one), else a prompt format, else completion mode. */
    private Conversation conversation(LoadedModel loaded, Tokenizer tokenizer) throws java.io.IOException {
        ChatTemplate template = tokenizer instanceof HfTokenizer ? ChatTemplate.find(loaded.path()) : null;
        if (format == null ? template != null : format.equalsIgnoreCase("template")) {
            if (template == null) {
                throw new IllegalArgumentException(loaded.path() + " has no chat template (tokenizer.json and a tokenizer_config.json "
                        + "with chat_template, or a GGUF file with tokenizer.chat_template)");
            }
            return new Conversation(template, noThinking ? Boolean.FALSE : null);
        }
        return new Conversation(format != null ? parseFormat(format) : ModelFormat.read(loaded.path()).orElse(null));
    }

    /** A template's text holds its special tokens, which become their ids; other prompts are plain text. */
    private static int[] encode(Tokenizer tokenizer, Conversation conversation, String message) {
        String prompt = conversation.prompt(message);
        return conversation.template() != null ? tokenizer.encodeWithSpecials(prompt) : tokenizer.encode(prompt);
    }

    /** Shows a thinking model's {@code <think>...</think>} part dimmed on a terminal (ANSI faint), as it is elsewhere. */
    static final class ThinkingDimmer {
        private static final String DIM = "\u001b[2m";
        private static final String RESET = "\u001b[0m";
        private final boolean enabled;
        private boolean dimmed;

        ThinkingDimmer(boolean enabled) {
            this.enabled = enabled;
        }

        String apply(String piece) {
            if (!enabled) return piece;
            StringBuilder sb = new StringBuilder();
            int at = 0;
            while (at < piece.length()) {
                String tag = dimmed ? "</think>" : "<think>";
                int i = piece.indexOf(tag, at);
                if (i < 0) {
                    sb.append(piece, at, piece.length());
                    break;
                }
                if (dimmed) sb.append(piece, at, i + tag.length()).append(RESET);
                else sb.append(piece, at, i).append(DIM).append(tag);
                dimmed = !dimmed;
                at = i + tag.length();
            }
            return sb.toString();
        }

        /** Closes the dimming if the reply ended inside the thinking part. */
        String end() {
            if (!dimmed) return "";
            dimmed = false;
            return RESET;
        }
    }

    private static PromptFormat parseFormat(String name) {
        return name.equalsIgnoreCase("none") ? null : PromptFormat.named(name);
    }

    /**
     * Whether the process was started with standard input closed ({@code <&-}): descriptor 0 is then free, and the
     * JVM's first open file, its own {@code lib/modules}, takes it, so System.in would read the JDK's class archive.
     */
    static boolean stdinIsClosed() {
        try {
            Path fd0 = Path.of("/proc/self/fd/0");
            if (!Files.isSymbolicLink(fd0)) return false;
            Path target = Files.readSymbolicLink(fd0);
            return target.isAbsolute() && target.startsWith(Path.of(System.getProperty("java.home")).toRealPath());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The user's lines, null at the end. */
    private interface Lines extends AutoCloseable {
        String next() throws IOException;

        boolean interactive();

        @Override
        void close() throws IOException;
    }

    private Lines openLines() throws IOException {
        if (input == System.in && System.console() != null && System.console().isTerminal()) return new TerminalLines();
        if (input == System.in && stdinIsClosed()) {
            spec.commandLine().getErr().println("jllm: standard input is closed: no messages to answer");
            spec.commandLine().getErr().flush();
            input = InputStream.nullInputStream();
        }
        BufferedReader reader = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)));
        return new Lines() {
            private boolean first = true;

            @Override
            public String next() throws IOException {
                String line;
                try {
                    line = reader.readLine();
                } catch (CharacterCodingException e) {
                    throw new IllegalArgumentException("the input is not UTF-8 text");
                }
                if (first && line != null) line = Utf8.withoutBom(line);
                first = false;
                return line;
            }

            @Override
            public boolean interactive() {
                return false;
            }

            @Override
            public void close() {}
        };
    }

    /** JLine: line editing, and a history kept in ~/.jllm/chat_history. */
    private static final class TerminalLines implements Lines {
        private final Terminal terminal;
        private final LineReader reader;

        TerminalLines() throws IOException {
            terminal = TerminalBuilder.builder().system(true).build();
            Path history = Path.of(System.getProperty("user.home"), ".jllm", "chat_history");
            Files.createDirectories(history.getParent());
            reader = LineReaderBuilder.builder().terminal(terminal).appName("jllm")
                    .variable(LineReader.HISTORY_FILE, history).build();
        }

        @Override
        public String next() {
            while (true) {
                try {
                    return reader.readLine("you> ");
                } catch (UserInterruptException e) {
                    // Ctrl-C clears the line; Ctrl-D or /exit ends the chat
                } catch (EndOfFileException e) {
                    return null;
                }
            }
        }

        @Override
        public boolean interactive() {
            return true;
        }

        @Override
        public void close() throws IOException {
            reader.getHistory().save();
            terminal.close();
        }
    }
}
