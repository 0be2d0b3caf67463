package dev.jllm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.bench.EndToEndBench;
import dev.jllm.kernels.MemoryBandwidth;
import dev.jllm.kernels.Parallel;
import dev.jllm.model.DecoderConfig;
import dev.jllm.model.WeightType;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs {@code jllm bench}'s end-to-end measurements ({@link EndToEndBench}) and prints the table or the JSON object.
 * Each configuration runs in a child JVM started with this JVM's flags ({@code jllm bench one ...}), so that the
 * peak resident memory it reports (VmHWM) is its own.
 */
final class BenchRunner {
    private BenchRunner() {}

    /** Heap limit of a child JVM, as a share of the machine's memory. */
    static final int CHILD_HEAP_PERCENT = 70;
    /** Size of the memory bandwidth measurements: far beyond any cache. */
    static final int BANDWIDTH_MIB = 512, BANDWIDTH_REPS = 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The configurations of the parts asked for, in the peer's order (bf16 generation after its fp32 rows). */
    static List<EndToEndBench.Config> plan(boolean train, boolean generate, BenchOptions o) {
        List<EndToEndBench.Config> plan = new ArrayList<>();
        if (train) {
            plan.add(new EndToEndBench.Config.Train("124M", 2, 256));
            plan.add(new EndToEndBench.Config.Train("124M", 8, 256));
            plan.add(new EndToEndBench.Config.Train("124M", 1, 1024));
        }
        if (generate) {
            for (String m : o.models) {
                plan.add(new EndToEndBench.Config.Generate(m, true, o.newTokens, WeightType.FP32));
                // without the cache a 1B model re-reads its weights per position: minutes per run, so not measured
                if (!DecoderConfig.isPreset(m)) plan.add(new EndToEndBench.Config.Generate(m, false, o.newTokens, WeightType.FP32));
                plan.add(new EndToEndBench.Config.Generate(m, true, o.newTokens, WeightType.BF16));
            }
            plan.add(new EndToEndBench.Config.Prefill(o.models.get(0), o.prefillTokens));
        }
        return plan;
    }

    /** Runs the plan and prints the table or the JSON object. */
    static void run(List<EndToEndBench.Config> plan, BenchOptions o, PrintWriter out, PrintWriter err) {
        ObjectNode result = JSON.createObjectNode();
        result.put("threads", o.threads);
        ArrayNode train = result.putArray("train"), generate = result.putArray("generate");
        ArrayNode prefill = result.putArray("prefill");
        double bandwidth = Double.NaN;
        if (plan.stream().anyMatch(c -> c instanceof EndToEndBench.Config.Generate)) {
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
            out.printf("%-9s %-5s %-22s %10s %10s %9s %9s%n", "part", "model", "setting", "tokens/s", "decode/s",
                    "peak MiB", "bw share");
        }
        for (EndToEndBench.Config c : plan) {
            ObjectNode row = o.inProcess ? EndToEndBench.measure(c, o.reps, o.threads) : inChild(c, o, err);
            String share = "";
            switch (c.kind()) {
                case TRAIN -> train.add(row);
                case GENERATE -> {
                    // Batch-1 decoding reads every streamed weight once per token: copy bandwidth / bytes is its ceiling.
                    double limit = bandwidth * 1e9 / row.get("weight_bytes_per_token").asDouble();
                    double fraction = row.get("tokens_per_second").asDouble() / limit;
                    row.put("bandwidth_limit_tokens_per_second", limit);
                    row.put("bandwidth_share", fraction);
                    share = String.format(Locale.ROOT, "%.0f %%", 100 * fraction);
                    generate.add(row);
                }
                case PREFILL -> prefill.add(row);
            }
            if (!o.json) {
                // decode/s: the steps after the prompt's pass alone (the PyTorch peers' decode_tokens_per_s)
                String decode = row.has("decode_tokens_per_second")
                        ? String.format(Locale.ROOT, "%.1f", row.get("decode_tokens_per_second").asDouble()) : "";
                out.printf(Locale.ROOT, "%-9s %-5s %-22s %10.1f %10s %9.0f %9s%n", c.kind().label(), c.model(), setting(c),
                        row.get("tokens_per_second").asDouble(), decode, row.get("peak_rss_mib").asDouble(), share);
                out.flush();
            }
        }
        if (o.json) out.println(result);
        out.flush();
    }

    private static String setting(EndToEndBench.Config c) {
        return switch (c) {
            case EndToEndBench.Config.Train t -> "batch " + t.batch() + " x context " + t.context();
            case EndToEndBench.Config.Generate g -> (g.kvCache() ? "KV cache " : "no cache ")
                    + g.dtype().name().toLowerCase(Locale.ROOT) + ", " + g.newTokens() + " new";
            case EndToEndBench.Config.Prefill p -> "prompt " + p.promptTokens();
        };
    }

    /** Runs one configuration in a child JVM with this JVM's flags and returns its JSON row. */
    private static ObjectNode inChild(EndToEndBench.Config c, BenchOptions o, PrintWriter err) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The launcher's own -Xmx and -Xms (sized for one training run) are not passed on: a child measuring a 1B
        // model in float32 needs more, and gets CHILD_HEAP_PERCENT of the memory, committed from the start as the
        // launcher does (the young regions then stay at the top of the heap instead of moving into fresh pages
        // whenever G1 grows it: the peak resident set is the live data plus the young generation). An -Xmx the
        // user gave in JLLM_JAVA_OPTS wins.
        boolean userHeap = System.getenv().getOrDefault("JLLM_JAVA_OPTS", "").contains("-Xmx");
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (userHeap || !(arg.startsWith("-Xmx") || arg.startsWith("-Xms"))) command.add(arg);
        }
        if (!userHeap) {
            command.add("-XX:MaxRAMPercentage=" + CHILD_HEAP_PERCENT);
            command.add("-XX:InitialRAMPercentage=" + CHILD_HEAP_PERCENT);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "bench", "one"));
        command.addAll(BenchOneCommand.args(c));
        command.addAll(List.of("--reps", String.valueOf(o.reps), "--threads", String.valueOf(o.threads)));
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = p.waitFor();
            if (code != 0) {
                throw new IllegalStateException("bench " + String.join(" ", BenchOneCommand.args(c)) + " failed (exit " + code + ")");
            }
            return (ObjectNode) JSON.readTree(stdout.lines().reduce((first, second) -> second).orElse("{}"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a child JVM for bench " + String.join(" ", BenchOneCommand.args(c)) + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
