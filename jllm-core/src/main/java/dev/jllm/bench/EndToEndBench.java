package dev.jllm.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.generate.GenerationOptions;
import dev.jllm.generate.Generator;
import dev.jllm.kernels.Parallel;
import dev.jllm.model.CausalLM;
import dev.jllm.model.DecoderConfig;
import dev.jllm.model.DecoderModel;
import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.model.WeightType;
import dev.jllm.optim.AdamW;
import dev.jllm.tensor.NoGrad;
import dev.jllm.tensor.Profiler;
import dev.jllm.tensor.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The end-to-end measurements of {@code jllm bench}, the same ones as the PyTorch peer tools/bench/gpt_torch.py:
 * training steps, generation with and without the KV cache, and prefill, one configuration at a time (the command
 * line runs each in a child JVM of its own, so that the peak resident memory it reports is its own).
 */
public final class EndToEndBench {
    private EndToEndBench() {}

    /** The book's training setup: AdamW with lr 4e-4 and weight decay 0.1. */
    static final double LR = 4e-4, WEIGHT_DECAY = 0.1;
    static final int PROMPT = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a measurement times. */
    public enum Kind {
        /** training steps */
        TRAIN,
        /** token-by-token generation */
        GENERATE,
        /** one forward pass over a prompt */
        PREFILL;

        /** As tables and the command line write it: {@code train}, {@code generate}, {@code prefill}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One measurement of a model ({@code 124M}, {@code 355M} or a Llama / Qwen3 / Gemma 3 preset name). */
    public sealed interface Config {
        String model();

        Kind kind();

        /** Full training steps (forward, loss, backward, AdamW) on {@code batch} windows of {@code context} tokens. */
        record Train(String model, int batch, int context) implements Config {
            public Kind kind() {
                return Kind.TRAIN;
            }
        }

        /** Greedy generation of {@code newTokens} after a short prompt, with or without the KV cache. */
        record Generate(String model, boolean kvCache, int newTokens, WeightType dtype) implements Config {
            public Kind kind() {
                return Kind.GENERATE;
            }
        }

        /** The whole model over a prompt of {@code promptTokens}, logits at every position. */
        record Prefill(String model, int promptTokens) implements Config {
            public Kind kind() {
                return Kind.PREFILL;
            }
        }
    }

    /** Measures one configuration in this JVM: warm-up, then {@code reps} timed runs; the median counts. */
    public static ObjectNode measure(Config c, int reps, int threads) {
        Parallel.setThreads(threads);
        ObjectNode row = JSON.createObjectNode();
        row.put("model", c.model());
        switch (c) {
            case Config.Train t -> {
                row.put("batch", t.batch());
                row.put("context", t.context());
                row.put("tokens_per_second", t.batch() * t.context()
                        / median(Math.max(MIN_STEPS, reps), trainStep(t.model(), t.batch(), t.context())));
            }
            case Config.Generate g -> {
                CausalLM m = model(g.model());
                row.put("kv_cache", g.kvCache());
                row.put("dtype", g.dtype().name().toLowerCase(Locale.ROOT));
                Generation run = generation(m, g);
                // reps timed runs, as --reps says: one run of a 1B model right after the two warm-ups still meets
                // the JIT's last compilations and a young-generation pause (Llama-3.2-1B bf16: 15.5 tok/s for one
                // run, a median of three 19.3, same call), so the median of several is the figure to compare
                row.put("tokens_per_second", g.newTokens() / median(reps, run));
                if (g.newTokens() > 1) row.put("decode_tokens_per_second", (g.newTokens() - 1) / run.medianDecodeSeconds(reps));
                row.put("weight_bytes_per_token", m.streamedBytesPerToken(g.dtype()));
            }
            case Config.Prefill p -> {
                row.put("prompt", p.promptTokens());
                row.put("tokens_per_second", p.promptTokens()
                        / median(Math.max(MIN_STEPS, reps), prefill(p.model(), p.promptTokens())));
            }
        }
        row.put("peak_rss_mib", peakRssMib());
        return row;
    }

    /**
     * The model a generation or prefill row measures: a random Llama / Qwen3 / Gemma 3 of a published size for
     * their presets ({@code llama3.2-1b}, {@code qwen3-0.6b}, {@code gemma3-270m}), else the book's GPT-2.
     */
    static CausalLM model(String name) {
        return DecoderConfig.isPreset(name) ? DecoderModel.create(DecoderConfig.preset(name), 123)
                : GptModel.create(bookConfig(name), 123);
    }

    /** The book's 124M/355M config: qkv bias off, a separate output head, dropout 0.1. */
    public static GptConfig bookConfig(String model) {
        return GptConfig.preset(model).withQkvBias(false).withTiedHead(false);
    }

    /** One full training step on random tokens: forward, cross-entropy, backward, AdamW. */
    public static Runnable trainStep(String model, int batch, int context) {
        GptModel m = GptModel.create(bookConfig(model), 123);
        m.train();
        AdamW opt = new AdamW(m.trainableParameters(), AdamW.Options.withWeightDecay(WEIGHT_DECAY));
        int[] x = randomIds(batch * context, 1), y = randomIds(batch * context, 2);
        Workspace workspace = new Workspace();
        return () -> {
            Profiler.time("zero_grad", opt::zeroGrad);
            try (Workspace.Scope step = workspace.open()) {
                m.loss(x, y, batch, context).backward();
            }
            Profiler.time("adamw", () -> opt.step(LR));
        };
    }

    private static Generation generation(CausalLM m, Config.Generate c) {
        m.eval();
        return new Generation(new Generator(m, w -> {}, c.dtype()),
                GenerationOptions.greedy(c.newTokens()).withKvCache(c.kvCache()).withEndId(-1), randomIds(PROMPT, 3));
    }

    /**
     * One greedy generation per run, which also times its decode steps alone: from the first new token (the
     * prompt's forward pass and its sampling done) to the last, newTokens − 1 steps. That is what the PyTorch peers
     * call {@code decode_tokens_per_s} (tools/reference/modern_bench.py: the steps after the prompt's pass), while
     * {@code tokens_per_second} counts the whole call, prompt included, as their {@code tokens_per_s} does.
     */
    private static final class Generation implements Runnable {
        private final Generator generator;
        private final GenerationOptions options;
        private final int[] prompt;
        /** Decode seconds of every run so far, warm-ups included. */
        private final List<Double> decodeSeconds = new java.util.ArrayList<>();

        Generation(Generator generator, GenerationOptions options, int[] prompt) {
            this.generator = generator;
            this.options = options;
            this.prompt = prompt;
        }

        @Override
        public void run() {
            long[] first = {0};
            int[] ids = generator.generate(prompt, options, id -> {
                if (first[0] == 0) first[0] = System.nanoTime();
                return true;
            });
            long end = System.nanoTime();
            if (ids.length != options.maxNewTokens()) throw new IllegalStateException("generation stopped early");
            decodeSeconds.add((end - first[0]) / 1e9);
        }

        /** The median decode seconds of the last {@code runs} runs. */
        double medianDecodeSeconds(int runs) {
            double[] s = decodeSeconds.subList(decodeSeconds.size() - runs, decodeSeconds.size()).stream()
                    .mapToDouble(Double::doubleValue).sorted().toArray();
            int n = s.length;
            return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        }
    }

    /** The whole model over a prompt, logits at every position, as the peer's {@code model(x)}. */
    private static Runnable prefill(String model, int prompt) {
        CausalLM m = model(model);
        m.eval();
        int[] ids = randomIds(prompt, 4);
        return () -> {
            try (NoGrad ignored = NoGrad.enter()) {
                m.forward(ids, 1, prompt);
            }
        };
    }

    /**
     * Timed training steps and prefills at least, whatever {@code --reps} says: the peer's first steps are slow
     * (allocator, AdamW state), and so are the JVM's (JIT), so both sides warm up {@link #WARM_UP} steps and take
     * the median of at least 5 (tools/bench/gpt_torch.py does the same).
     */
    static final int MIN_STEPS = 5;
    /** Untimed runs before the timed ones. */
    static final int WARM_UP = 2;

    /** Median seconds of {@code reps} runs of {@code body}, after {@link #WARM_UP} warm-up runs. */
    public static double median(int reps, Runnable body) {
        for (int i = 0; i < WARM_UP; i++) body.run();
        double[] seconds = new double[Math.max(1, reps)];
        for (int i = 0; i < seconds.length; i++) {
            long start = System.nanoTime();
            body.run();
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(seconds);
        int n = seconds.length;
        return n % 2 == 1 ? seconds[n / 2] : (seconds[n / 2 - 1] + seconds[n / 2]) / 2;
    }

    public static int[] randomIds(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = r.nextInt(GptConfig.GPT2_VOCAB);
        return ids;
    }

    /** The peak resident set of this process (VmHWM of /proc/self/status) in MiB; NaN where there is no /proc. */
    public static double peakRssMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException | RuntimeException e) {
            // no /proc (not Linux): reported as NaN below
        }
        return Double.NaN;
    }
}
