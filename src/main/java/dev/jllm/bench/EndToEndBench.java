package dev.jllm.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.generate.GenerationOptions;
import dev.jllm.generate.Generator;
import dev.jllm.kernels.Parallel;
import dev.jllm.model.CausalLM;
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

    /**
     * One measurement. kind train: a = batch, b = context; generate: a = 1 with the KV cache else 0, b = new
     * tokens; prefill: a = prompt tokens.
     */
    public record Config(String kind, String model, int a, int b, WeightType dtype) {
        public List<String> args() {
            return List.of(kind, model, String.valueOf(a), String.valueOf(b), dtype.name().toLowerCase(Locale.ROOT));
        }
    }

    /** Measures one configuration in this JVM: warm-up, then {@code reps} timed runs; the median counts. */
    public static ObjectNode measure(Config c, int reps, int threads) {
        Parallel.setThreads(threads);
        ObjectNode row = JSON.createObjectNode();
        row.put("model", c.model());
        switch (c.kind()) {
            case "train" -> {
                row.put("batch", c.a());
                row.put("context", c.b());
                row.put("tokens_per_second", c.a() * c.b() / median(Math.max(MIN_STEPS, reps), trainStep(c.model(), c.a(), c.b())));
            }
            case "generate" -> {
                GptModel m = GptModel.create(bookConfig(c.model()), 123);
                row.put("kv_cache", c.a() == 1);
                row.put("dtype", c.dtype().name().toLowerCase(Locale.ROOT));
                row.put("tokens_per_second", c.b() / median(Math.max(1, reps / 2), generation(m, c)));
                row.put("weight_bytes_per_token", m.streamedBytesPerToken(c.dtype()));
            }
            case "prefill" -> {
                row.put("prompt", c.a());
                row.put("tokens_per_second", c.a() / median(Math.max(MIN_STEPS, reps), prefill(c.model(), c.a())));
            }
            default -> throw new IllegalArgumentException("unknown bench kind '" + c.kind() + "' (train, generate, prefill)");
        }
        row.put("peak_rss_mib", peakRssMib());
        return row;
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

    private static Runnable generation(CausalLM m, Config c) {
        m.eval();
        Generator generator = new Generator(m, w -> {}, c.dtype());
        GenerationOptions options = GenerationOptions.greedy(c.b()).withKvCache(c.a() == 1).withEndId(-1);
        int[] prompt = randomIds(PROMPT, 3);
        return () -> generator.generate(prompt, options);
    }

    /** The whole model over a prompt, logits at every position, as the peer's {@code model(x)}. */
    private static Runnable prefill(String model, int prompt) {
        GptModel m = GptModel.create(bookConfig(model), 123);
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
