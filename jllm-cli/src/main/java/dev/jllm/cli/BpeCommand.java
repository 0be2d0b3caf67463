package dev.jllm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.tokenizer.BpeTrainer;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jllm bpe}: byte-level BPE vocabularies. */
@Command(name = "bpe", mixinStandardHelpOptions = true, description = "Byte-level BPE vocabularies.",
        subcommands = {BpeCommand.Train.class})
final class BpeCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code jllm bpe train}: trains a vocabulary on a corpus and saves vocab.json + merges.txt. */
    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train a byte-level BPE vocabulary (GPT-2 style) and save it as vocab.json + merges.txt.")
    static final class Train implements Callable<Integer> {
        @Option(names = "--corpus", required = true, paramLabel = "F", description = "UTF-8 text file to train on.")
        Path corpus;

        @Option(names = "--vocab-size", required = true, paramLabel = "N",
                description = "Vocabulary size: 256 bytes + merges + special tokens.")
        int vocabSize;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for vocab.json and merges.txt.")
        Path out;

        @Option(names = "--special", paramLabel = "TOKEN", description = "Special token (repeatable; default <|endoftext|>).")
        List<String> specials = List.of("<|endoftext|>");

        @Option(names = "--json", description = "Print a JSON summary: {\"vocabSize\", \"merges\", \"seconds\", \"out\"}.")
        boolean json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            long start = System.nanoTime();
            Gpt2Tokenizer tokenizer;
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("bpe merges")
                    .setInitialMax(Math.max(0, vocabSize - 256 - specials.size())).build()) {
                tokenizer = BpeTrainer.train(corpus, vocabSize, specials, (done, total) -> bar.stepTo(done));
                bar.maxHint(tokenizer.mergeCount()); // fewer merges than asked when the corpus ran out of pairs
            }
            tokenizer.save(out);
            double seconds = (System.nanoTime() - start) / 1e9;
            PrintWriter o = spec.commandLine().getOut();
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                o.println(mapper.writeValueAsString(mapper.createObjectNode()
                        .put("vocabSize", tokenizer.vocabSize())
                        .put("merges", tokenizer.mergeCount())
                        .put("seconds", Math.round(seconds * 1000) / 1000.0)
                        .put("out", out.toString())));
            } else {
                o.printf("trained %d tokens (%d merges) in %.1f s; wrote %s and %s%n", tokenizer.vocabSize(),
                        tokenizer.mergeCount(), seconds, out.resolve("vocab.json"), out.resolve("merges.txt"));
            }
            o.flush();
            return 0;
        }
    }
}
