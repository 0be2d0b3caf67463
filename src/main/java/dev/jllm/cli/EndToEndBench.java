package dev.jllm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.generate.Bf16Weights;
import dev.jllm.generate.GenerationOptions;
import dev.jllm.generate.Generator;
import dev.jllm.generate.WeightType;
import dev.jllm.kernels.MemoryBandwidth;
import dev.jllm.kernels.Parallel;
import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.optim.AdamW;
import dev.jllm.tensor.NoGrad;
import dev.jllm.tensor.Profiler;
import dev.jllm.tensor.Workspace;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The end-to-end measurements of {@code jllm bench}, the same ones as the PyTorch peer tools/bench/gpt_torch.py:
 * training steps, generation with and without the KV cache, and prefill. Each configuration runs in a child JVM
 * started with this JVM's flags ({@code jllm bench one ...}), so that the peak resident memory it reports (VmHWM)
 * is its own.
 */
final class EndToEndBench {
    private EndToEndBench() {}

    /** The book's training setup: AdamW with lr 4e-4 and weight decay 0.1. */
    static final double LR = 4e-4, WEIGHT_DECAY = 0.1;
    static final int PROMPT = 10;
    /** Heap limit of a child JVM, as a share of the machine's memory. */
    static final int CHILD_HEAP_PERCENT = 70;
    /** Size of the memory bandwidth measurements: far beyond any cache. */
    static final int BANDWIDTH_MIB = 512, BANDWIDTH_REPS = 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One measurement. kind train: a = batch, b = context; generate: a = 1 with the KV cache else 0, b = new
     * tokens; prefill: a = prompt tokens.
     */
    record Config(String kind, String model, int a, int b, WeightType dtype) {
        List<String> args() {
            return List.of(kind, model, String.valueOf(a), String.valueOf(b), dtype.name().toLowerCase(Locale.ROOT));
        }
    }

    /** The configurations of the parts asked for, in the peer's order (bf16 generation after its fp32 rows). */
    static List<Config> plan(boolean train, boolean generate, BenchOptions o) {
        List<Config> plan = new ArrayList<>();
        if (train) {
            plan.add(new Config("train", "124M", 2, 256, WeightType.FP32));
            plan.add(new Config("train", "124M", 8, 256, WeightType.FP32));
            plan.add(new Config("train", "124M", 1, 1024, WeightType.FP32));
        }
        if (generate) {
            for (String m : o.models) {
                plan.add(new Config("generate", m, 1, o.newTokens, WeightType.FP32));
                plan.add(new Config("generate", m, 0, o.newTokens, WeightType.FP32));
                plan.add(new Config("generate", m, 1, o.newTokens, WeightType.BF16));
            }
            plan.add(new Config("prefill", o.models.get(0), o.prefillTokens, 0, WeightType.FP32));
        }
        return plan;
    }

    /** Runs the plan and prints the table or the JSON object. */
    static void run(List<Config> plan, BenchOptions o, PrintWriter out, PrintWriter err) {
        ObjectNode result = JSON.createObjectNode();
        result.put("threads", o.threads);
        ArrayNode train = result.putArray("train"), generate = result.putArray("generate");
        ArrayNode prefill = result.putArray("prefill");
        double bandwidth = Double.NaN;
        if (plan.stream().anyMatch(c -> c.kind().equals("generate"))) {
            Parallel.setThreads(o.threads);
            // Best of many passes: a single pass can land in a stretch where the host lends less bandwidth.
            bandwidth = MemoryBandwidth.copyGbPerSecond(BANDWIDTH_MIB, BANDWIDTH_REPS);
            double read = MemoryBandwidth.readGbPerSecond(BANDWIDTH_MIB, BANDWIDTH_REPS);
            result.put("copy_bandwidth_gb_per_s", bandwidth);
            result.put("read_bandwidth_gb_per_s", read);
            if (!o.json) {
                out.printf(Locale.ROOT, "memory bandwidth, %d threads: copy %.1f GB/s (read + write), read alone %.1f GB/s%n",
                        o.threads, bandwidth, read);
            }
        }
        if (!o.json) {
            out.printf("%-9s %-5s %-22s %10s %9s %9s%n", "part", "model", "setting", "tokens/s", "peak MiB",
                    "bw share");
        }
        for (Config c : plan) {
            ObjectNode row = o.inProcess ? measure(c, o.reps, o.threads) : inChild(c, o, err);
            String share = "";
            switch (c.kind()) {
                case "train" -> train.add(row);
                case "generate" -> {
                    // Batch-1 decoding reads every streamed weight once per token: copy bandwidth / bytes is its ceiling.
                    double limit = bandwidth * 1e9 / row.get("weight_bytes_per_token").asDouble();
                    double fraction = row.get("tokens_per_second").asDouble() / limit;
                    row.put("bandwidth_limit_tokens_per_second", limit);
                    row.put("bandwidth_share", fraction);
                    share = String.format(Locale.ROOT, "%.0f %%", 100 * fraction);
                    generate.add(row);
                }
                default -> prefill.add(row);
            }
            if (!o.json) {
                out.printf(Locale.ROOT, "%-9s %-5s %-22s %10.1f %9.0f %9s%n", c.kind(), c.model(), setting(c),
                        row.get("tokens_per_second").asDouble(), row.get("peak_rss_mib").asDouble(), share);
                out.flush();
            }
        }
        if (o.json) out.println(result);
        out.flush();
    }

    private static String setting(Config c) {
        return switch (c.kind()) {
            case "train" -> "batch " + c.a() + " x context " + c.b();
            case "generate" -> (c.a() == 1 ? "KV cache " : "no cache ") + c.dtype().name().toLowerCase(Locale.ROOT)
                    + ", " + c.b() + " new";
            default -> "prompt " + c.a();
        };
    }

    /** Runs one configuration in a child JVM with this JVM's flags and returns its JSON row. */
    private static ObjectNode inChild(Config c, BenchOptions o, PrintWriter err) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        // The default heap (a quarter of RAM) is too small for the 8 x 256 step; an -Xmx given above still wins.
        command.add("-XX:MaxRAMPercentage=" + CHILD_HEAP_PERCENT);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "bench", "one"));
        command.addAll(c.args());
        command.addAll(List.of("--reps", String.valueOf(o.reps), "--threads", String.valueOf(o.threads)));
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = p.waitFor();
            if (code != 0) throw new IllegalStateException("bench " + String.join(" ", c.args()) + " failed (exit " + code + ")");
            return (ObjectNode) JSON.readTree(stdout.lines().reduce((first, second) -> second).orElse("{}"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a child JVM for bench " + String.join(" ", c.args()) + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Measures one configuration in this JVM: warm-up, then {@code reps} timed runs; the median counts. */
    static ObjectNode measure(Config c, int reps, int threads) {
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
                row.put("weight_bytes_per_token", Bf16Weights.streamedBytesPerToken(m, c.dtype()));
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
    static GptConfig bookConfig(String model) {
        return GptConfig.preset(model).withQkvBias(false).withTiedHead(false);
    }

    /** One full training step on random tokens: forward, cross-entropy, backward, AdamW. */
    static Runnable trainStep(String model, int batch, int context) {
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

    private static Runnable generation(GptModel m, Config c) {
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
    static double median(int reps, Runnable body) {
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

    static int[] randomIds(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = r.nextInt(GptConfig.GPT2_VOCAB);
        return ids;
    }

    /** The peak resident set of this process (VmHWM of /proc/self/status) in MiB; NaN where there is no /proc. */
    static double peakRssMib() {
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
