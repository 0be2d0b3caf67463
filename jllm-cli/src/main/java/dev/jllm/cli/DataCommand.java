package dev.jllm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.data.CorpusPreparer;
import dev.jllm.data.TokenFileHeader;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import dev.jllm.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jllm data prepare}: a text corpus to a token file (docs/token-file-format.md). */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Prepare training data.",
        subcommands = {DataCommand.Prepare.class})
final class DataCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a data command: prepare");
    }

    @Command(name = "prepare", mixinStandardHelpOptions = true, description = {
            "Tokenize a UTF-8 text file, or all files under a folder, into a token file,",
            "on all cores. Files are documents in path order, separated by <|endoftext|>;",
            "special tokens in the text become their ids. Format: docs/token-file-format.md."})
    static final class Prepare implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--corpus", required = true, paramLabel = "F|DIR", description = "A text file or a folder of them.")
        Path corpus;

        @Option(names = "--vocab", paramLabel = "DIR",
                description = "Vocabulary folder (vocab.json + merges.txt, encoder.json + vocab.bpe, or a .tiktoken file); "
                        + "default: GPT-2's built-in vocabulary.")
        Path vocab;

        @Option(names = "--out", required = true, paramLabel = "F|DIR",
                description = "The token file to write (with --shard-mb: the folder of shards).")
        Path out;

        @Option(names = "--shard-mb", paramLabel = "N",
                description = "Write shards of about N MB of text each (whole files; shard-00000.tok, ...) into the"
                        + " folder --out; jllm pretrain --data DIR streams them in order.")
        Double shardMb;

        @Option(names = "--json", description = "Print {\"path\", \"tokens\", \"documents\", \"characters\", "
                + "\"bytes_per_id\", \"seconds\", \"shards\", \"mb_per_second\"} as JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Tokenizer tokenizer = vocab == null ? Gpt2Tokenizer.builtIn() : Gpt2Tokenizer.load(vocab);
            Set<String> specials = tokenizer.specialTokens().keySet();
            int separator = tokenizer.specialTokens().getOrDefault("<|endoftext|>", -1);
            CorpusPreparer preparer = new CorpusPreparer(text -> tokenizer.encode(text, specials),
                    tokenizer.vocabSize(), separator);

            List<Path> files = CorpusPreparer.corpusFiles(corpus);
            long bytes = 0;
            for (Path f : files) bytes += Files.size(f);
            if (shardMb != null && !(shardMb > 0)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--shard-mb must be positive, got " + shardMb);
            }
            List<List<Path>> shards = shardMb == null ? List.of(files) : shards(files, (long) (shardMb * 1e6));
            Files.createDirectories(shardMb == null ? out.toAbsolutePath().getParent() : out);

            long start = System.nanoTime();
            CorpusPreparer.Result result = null;
            long tokens = 0, characters = 0;
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("tokenizing").setInitialMax(bytes)
                    .setUnit("MiB", 1 << 20).showSpeed().setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err)).build()) {
                for (int i = 0; i < shards.size(); i++) {
                    Path file = shardMb == null ? out : out.resolve(String.format("shard-%05d.tok", i));
                    result = preparer.prepare(shards.get(i), file, bar::stepBy, i > 0);
                    tokens += result.tokens();
                    characters += result.characters();
                }
            }
            result = new CorpusPreparer.Result(out, tokens, characters, files.size());
            double seconds = (System.nanoTime() - start) / 1e9;
            int width = TokenFileHeader.bytesPerIdFor(tokenizer.vocabSize());
            PrintWriter stdout = spec.commandLine().getOut();
            if (json) {
                ObjectNode node = new ObjectMapper().createObjectNode()
                        .put("path", out.toAbsolutePath().toString())
                        .put("tokens", result.tokens())
                        .put("documents", result.documents())
                        .put("characters", result.characters())
                        .put("bytes_per_id", width)
                        .put("seconds", Math.round(seconds * 1000) / 1000.0)
                        .put("shards", shards.size())
                        .put("mb_per_second", Math.round(bytes / 1e6 / seconds * 100) / 100.0);
                stdout.println(new ObjectMapper().writeValueAsString(node));
            } else {
                stdout.printf("%s: %,d tokens (%s%s) from %,d file%s, %,d characters, in %.1f s (%.2f MB/s)%n",
                        out, result.tokens(), shardMb == null ? "" : shards.size() + " shards, ", width == 2 ? "uint16" : "uint32", result.documents(),
                        result.documents() == 1 ? "" : "s", result.characters(), seconds, bytes / 1e6 / seconds);
            }
            stdout.flush();
            return 0;
        }

        /** The files in order, cut into groups of at least {@code bytes} (the last may be smaller). */
        private static List<List<Path>> shards(List<Path> files, long bytes) throws java.io.IOException {
            List<List<Path>> out = new java.util.ArrayList<>();
            List<Path> current = new java.util.ArrayList<>();
            long size = 0;
            for (Path f : files) {
                current.add(f);
                size += Files.size(f);
                if (size >= bytes) {
                    out.add(current);
                    current = new java.util.ArrayList<>();
                    size = 0;
                }
            }
            if (!current.isEmpty()) out.add(current);
            return out;
        }
    }
}
