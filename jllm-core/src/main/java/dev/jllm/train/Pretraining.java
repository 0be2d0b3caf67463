package dev.jllm.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.Setting;
import dev.jllm.SettingException;
import dev.jllm.arch.Architectures;
import dev.jllm.arch.LoadedModel;
import dev.jllm.data.Batch;
import dev.jllm.data.TokenFile;
import dev.jllm.data.TokenSequence;
import dev.jllm.data.TokenShards;
import dev.jllm.generate.GenerationOptions;
import dev.jllm.model.CausalLM;
import dev.jllm.io.TextFiles;
import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.model.ModelConfig;
import dev.jllm.mpi.DataParallel;
import dev.jllm.tokenizer.BpeTrainer;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A whole pretraining run, as {@code jllm pretrain} does it: read the text (or the built-in stories), get a
 * tokenizer, split the text into training and validation parts, build or load the model, train, and leave a run
 * folder behind. Also resumes a run from its latest checkpoint.
 *
 * <p>Under {@code mpirun} every rank does the same, reading the same data at the same path; the data is cut into
 * global batches of ranks × {@code --batch} windows, and only rank 0 writes the run folder ({@link RankFolder}).
 */
public final class Pretraining {
    private Pretraining() {}

    private static final String END_OF_TEXT = "<|endoftext|>";
    private static final byte[] TOKEN_FILE_MAGIC = "JLLMTOK\0".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a finished (or interrupted) run reports. */
    public record Report(Path runDir, Trainer.Result result, List<String> samples) {}

    /** Starts a new run of {@code spec} in {@code out}. */
    public static Report start(PretrainSpec spec, Path out, TrainProgress progress, PrintWriter log) throws IOException {
        Corpus corpus = Corpus.read(spec);
        Gpt2Tokenizer tokenizer = tokenizer(spec, corpus, log);
        checkPrompt(spec.train(), tokenizer);
        DataParallel parallel = DataParallel.current();
        try (RunFolder run = RankFolder.create(out, parallel)) {
            if (parallel.leader()) tokenizer.save(out);
            return fromStepZero(spec, corpus, tokenizer, run, progress, log);
        }
    }

    /** Builds the model (random, or {@code spec.init()}), writes it with the settings, and trains from step 0. */
    private static Report fromStepZero(PretrainSpec spec, Corpus corpus, Gpt2Tokenizer tokenizer, RunFolder run,
                                       TrainProgress progress, PrintWriter log) throws IOException {
        TrainConfig cfg = spec.train();
        TokenSequence[] split = corpus.tokenize(tokenizer, cfg.trainFraction());
        ResumableRandom rng = new ResumableRandom(cfg.seed());
        CausalLM model = spec.init() != null ? initialModel(spec, cfg, rng, tokenizer) : newModel(spec, cfg, rng, tokenizer);
        corpus.checkIds(model.config().vocabSize());
        log.printf("model: %,d parameters (emb %d, %d layers, %d heads, context %d, vocabulary %,d)%n",
                model.parameterCount(), model.config().embDim(), model.config().nLayers(), model.config().nHeads(),
                model.config().contextLength(), model.config().vocabSize());
        log.printf("data: %,d training and %,d validation tokens%n", split[0].length(), split[1].length());
        log.flush();
        if (DataParallel.current().leader()) run.writeModel(model, JSON.valueToTree(spec));
        Trainer<CausalLM, Batch> trainer = Trainer.of(model, rng, tokenizer, cfg, windows(split, cfg), run, progress);
        return train(trainer, run, spec, log);
    }

    /**
     * The sample prompt must encode before hours of training, not after: GPT-2's tokenizer refuses special tokens
     * such as {@code <|endoftext|>} in it.
     */
    private static void checkPrompt(TrainConfig cfg, Gpt2Tokenizer tokenizer) {
        for (String special : tokenizer.specialTokens().keySet()) {
            if (cfg.samplePrompt().contains(special)) {
                throw new SettingException("the ", Setting.SAMPLE_PROMPT, " contains the special token " + special
                        + ", which a sample cannot start from; remove it from the ", Setting.SAMPLE_PROMPT, " (or give ",
                        Setting.SAMPLE_TOKENS, " 0 for no samples)");
            }
        }
    }

    /** The windows in batches of ranks × {@code --batch} (each rank trains on its rows of every batch). */
    private static WindowData windows(TokenSequence[] split, TrainConfig cfg) {
        return new WindowData(split[0], split[1], cfg.contextLength(), cfg.stride(),
                cfg.batchSize() * DataParallel.current().ranks());
    }

    /**
     * Continues the run in {@code dir} from its latest checkpoint, with the settings it was started with; a run
     * killed before its first checkpoint starts again from step 0.
     */
    public static Report resume(Path dir, TrainProgress progress, PrintWriter log) throws IOException {
        try (RunFolder run = RankFolder.open(dir, DataParallel.current())) {
            PretrainSpec spec = JSON.treeToValue(RunFolder.training(dir), PretrainSpec.class);
            TrainConfig cfg = spec.train();
            Gpt2Tokenizer tokenizer = Gpt2Tokenizer.load(dir);
            Corpus corpus = Corpus.read(spec);
            if (RunFolder.latestCheckpoint(dir).isEmpty()) { // killed before its first checkpoint: again from the start
                log.printf("%s has no checkpoint yet: starting the run again from step 0%n", dir);
                log.flush();
                return fromStepZero(spec, corpus, tokenizer, run, progress, log);
            }
            TokenSequence[] split = corpus.tokenize(tokenizer, cfg.trainFraction());
            Path checkpointDir = RankFolder.latestCheckpoint(dir);
            ResumableRandom rng = new ResumableRandom(cfg.seed());
            Checkpoint.Loaded checkpoint = Checkpoint.read(checkpointDir, rng);
            CausalLM model = checkpoint.model();
            corpus.checkIds(model.config().vocabSize());
            Trainer<CausalLM, Batch> trainer = Trainer.of(model, rng, tokenizer, cfg, windows(split, cfg), run, progress);
            trainer.restore(checkpoint.progress());
            log.printf("resuming %s at step %d of %d%n", dir, checkpoint.state().step(), trainer.totalSteps());
            log.flush();
            return train(trainer, run, spec, log);
        }
    }

    /** Runs the loop (Ctrl-C stops it after a checkpoint), then writes the plot and generates the final samples. */
    private static Report train(Trainer<?, ?> trainer, RunFolder run, PretrainSpec spec, PrintWriter log) throws IOException {
        Trainer.Result result = trainer.runStoppable();
        if (!trainer.parallel().leader()) return new Report(run.dir(), result, List.of());
        String reduce = trainer.gradients().summary(result.steps() > 0 ? result.trainSeconds() / result.steps() : 0);
        if (reduce != null) log.println(reduce);
        run.writePlot();
        if (result.outcome() == Trainer.Outcome.INTERRUPTED) return new Report(run.dir(), result, List.of());
        return new Report(run.dir(), result, finalSamples(trainer, spec.train()));
    }

    /** One greedy continuation and two sampled ones of the run's sample prompt. */
    private static List<String> finalSamples(Trainer<?, ?> trainer, TrainConfig cfg) {
        if (cfg.samplePrompt().isEmpty() || cfg.sampleTokens() == 0) return List.of();
        GenerationOptions greedy = GenerationOptions.greedy(cfg.sampleTokens());
        return List.of(
                trainer.generate(cfg.samplePrompt(), greedy),
                trainer.generate(cfg.samplePrompt(), greedy.withSampling(0.8f, 40, 1f, 1)),
                trainer.generate(cfg.samplePrompt(), greedy.withSampling(0.8f, 40, 1f, 2)));
    }

    private static Gpt2Tokenizer tokenizer(PretrainSpec spec, Corpus corpus, PrintWriter log) throws IOException {
        return switch (spec.tokenizerSource()) {
            case GPT2 -> Gpt2Tokenizer.builtIn();
            case MODEL -> {
                Path dir = LoadedModel.folderOf(Path.of(spec.init()));
                yield Gpt2Tokenizer.hasVocabulary(dir) ? Gpt2Tokenizer.load(dir) : Gpt2Tokenizer.builtIn();
            }
            case BPE -> {
                if (corpus.text() == null) {
                    throw new SettingException(spec.data() + " is a token file: name its tokenizer with ",
                            Setting.TOKENIZER, " gpt2 or ", Setting.TOKENIZER,
                            " DIR (a folder with vocab.json + merges.txt)");
                }
                log.printf("training a BPE vocabulary of %,d tokens on the training text...%n", spec.vocabSize());
                log.flush();
                String trainText = corpus.text().substring(0, splitPoint(corpus.text(), spec.train().trainFraction()));
                yield BpeTrainer.train(trainText, spec.vocabSize(), List.of(END_OF_TEXT), BpeTrainer.Progress.NONE);
            }
            case FOLDER -> Gpt2Tokenizer.load(Path.of(spec.tokenizer()));
        };
    }

    private static CausalLM newModel(PretrainSpec spec, TrainConfig cfg, ResumableRandom rng, Gpt2Tokenizer tok) {
        // The book's GPTModel: no query/key/value bias, an output head of its own.
        GptConfig config = new GptConfig(tok.vocabSize(), cfg.contextLength(), spec.embDim(), spec.nHeads(),
                spec.nLayers(), spec.dropRate(), false, false);
        // Same weights, but dropout drawn from the run's resumable generator.
        return GptModel.create(config, cfg.seed(), spec.weightsInit()).copy(rng);
    }

    private static CausalLM initialModel(PretrainSpec spec, TrainConfig cfg, ResumableRandom rng, Gpt2Tokenizer tok)
            throws IOException {
        CausalLM loaded = Architectures.load(Path.of(spec.init()), rng);
        ModelConfig config = loaded.config();
        if (cfg.contextLength() > config.contextLength()) {
            throw new SettingException(Setting.CONTEXT_LENGTH, " " + cfg.contextLength()
                    + " is longer than the context length " + config.contextLength() + " of " + spec.init());
        }
        if (tok.vocabSize() > config.vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tok.vocabSize() + " tokens, more than the "
                    + config.vocabSize() + " of " + spec.init());
        }
        return loaded.copy(spec.dropRate(), CausalLM.Head.KEEP, rng);
    }

    /** The character index where the training part of {@code text} ends (the book splits on characters). */
    static int splitPoint(String text, double trainFraction) {
        return (int) (trainFraction * text.length());
    }

    /** The run's text, or the ids of a token file. */
    private record Corpus(String text, TokenSequence tokens) {

        static Corpus read(PretrainSpec spec) throws IOException {
            if (spec.builtInCorpus()) return new Corpus(StoryCorpus.generate(), null);
            Path file = Path.of(spec.data());
            if (Files.isDirectory(file)) return new Corpus(null, TokenShards.open(file)); // jllm data prepare --shard-mb
            if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such file");
            if (isTokenFile(file)) return new Corpus(null, TokenFile.open(file));
            String text = TextFiles.read(file);
            if (text.isEmpty()) throw new IllegalArgumentException(file + ": the file is empty");
            return new Corpus(text, null);
        }

        /**
         * A token file's ids must all index the model's embedding: checked here, before training, so that the error
         * names the file and the position rather than surfacing as an index error mid-run.
         */
        void checkIds(int vocabSize) {
            if (!(tokens instanceof TokenFile file)) return;
            long at = file.firstIdAtLeast(vocabSize);
            if (at >= 0) {
                throw new SettingException(String.format(java.util.Locale.ROOT, "%s: token id %d at position %,d"
                        + " is beyond the model's vocabulary of %,d tokens (was the file prepared with another"
                        + " tokenizer? give the ", file.path(), Integer.toUnsignedLong(file.get(at)), at, vocabSize),
                        Setting.TOKENIZER, " that matches it)");
            }
        }

        /** [training tokens, validation tokens]: text is split on characters, a token file on tokens. */
        TokenSequence[] tokenize(Gpt2Tokenizer tokenizer, double trainFraction) {
            if (text == null) {
                long cut = (long) (trainFraction * tokens.length());
                return new TokenSequence[] {slice(tokens, 0, cut), slice(tokens, cut, tokens.length())};
            }
            int cut = splitPoint(text, trainFraction);
            Set<String> allowed = Set.of(END_OF_TEXT);
            return new TokenSequence[] {
                TokenSequence.of(tokenizer.encode(text.substring(0, cut), allowed)),
                TokenSequence.of(tokenizer.encode(text.substring(cut), allowed))
            };
        }

        private static boolean isTokenFile(Path file) throws IOException {
            try (InputStream in = Files.newInputStream(file)) {
                return Arrays.equals(in.readNBytes(TOKEN_FILE_MAGIC.length), TOKEN_FILE_MAGIC);
            }
        }

        private static TokenSequence slice(TokenSequence s, long from, long to) {
            return new TokenSequence() {
                @Override
                public long length() {
                    return to - from;
                }

                @Override
                public int get(long index) {
                    return s.get(from + index);
                }

                @Override
                public void copy(long start, int[] dst, int offset, int count) {
                    s.copy(from + start, dst, offset, count);
                }
            };
        }
    }
}
