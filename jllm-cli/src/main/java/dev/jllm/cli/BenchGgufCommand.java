package dev.jllm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.arch.LoadedModel;
import dev.jllm.generate.QuantizedLlamaDecoder;
import dev.jllm.io.gguf.GgufFile;
import dev.jllm.io.gguf.GgufLlama;
import dev.jllm.kernels.MemoryBandwidth;
import dev.jllm.kernels.Parallel;
import dev.jllm.model.CausalLM;
import dev.jllm.model.KVCacheDecoder;
import dev.jllm.tensor.Tensor;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jllm bench gguf}: greedy decoding speed of a GGUF file (llama, qwen3, gemma3, gpt2) on its own quantized
 * blocks, through the decoder that generate, chat and serve use, and the share of the memory-bandwidth limit (the
 * file's matrix bytes per token over the measured read bandwidth).
 */
@Command(name = "gguf", mixinStandardHelpOptions = true,
        description = "Decoding tokens/s of a GGUF file (Llama, Qwen3, Gemma 3, GPT-2; its quantized blocks read in place) and the share of the bandwidth limit.")
final class BenchGgufCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "FILE.gguf", description = "A GGUF file of architecture llama, qwen3, gemma3 or gpt2.")
    Path model;

    @Option(names = "--threads", description = "Worker threads (default: all cores).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--prompt-tokens", defaultValue = "16", description = "Prompt length, random ids (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--tokens", defaultValue = "64", description = "New tokens, greedy (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--bandwidth-mib", defaultValue = "1024", description = "Array size of the read-bandwidth measurement (0: skip).")
    int bandwidthMib;

    @Option(names = "--model-decoder", description = "Through the decoder of generate, chat and serve (the default; kept for scripts).")
    boolean modelDecoder;

    @Option(names = "--file-decoder", description = "Llama and Qwen3 files through the file-streaming decoder (generate/QuantizedLlamaDecoder)"
            + " instead of the decoder of generate, chat and serve (the default since both run at the same speed).")
    boolean fileDecoder;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (threads < 1 || promptTokens < 1 || tokens < 1) throw new IllegalArgumentException("--threads, --prompt-tokens and --tokens must be positive");
        Parallel.setThreads(threads);
        if (!GgufFile.isGguf(model)) throw new IllegalArgumentException(model + " is not a GGUF file");
        String architecture;
        try (GgufFile f = GgufFile.open(model)) {
            architecture = f.architecture();
        }
        java.util.function.Function<int[], float[]> d;
        int vocab;
        long bytes;
        if (GgufLlama.ARCHITECTURES.contains(architecture) && fileDecoder && !modelDecoder) {
            GgufLlama g = GgufLlama.read(GgufFile.open(model)); // mapped while the process runs
            QuantizedLlamaDecoder q = new QuantizedLlamaDecoder(g, Math.min(g.contextLength(), promptTokens + tokens));
            d = q::append;
            vocab = g.vocabSize();
            bytes = g.streamedBytesPerToken();
        } else {
            LoadedModel loaded = LoadedModel.load(model);
            CausalLM m = loaded.model();
            int capacity = Math.min(m.config().contextLength(), promptTokens + tokens);
            KVCacheDecoder k = loaded.blocks() != null ? m.quantizedDecoder(capacity, loaded.blocks()) : m.decoder(capacity, null);
            d = k::append;
            vocab = m.config().vocabSize();
            bytes = loaded.blocks() != null ? loaded.blocks().bytesPerToken() : matrixBytes(m);
        }
        SplittableRandom rng = new SplittableRandom(42);
        int[] prompt = new int[promptTokens];
        for (int i = 0; i < prompt.length; i++) prompt[i] = rng.nextInt(vocab);
        long t0 = System.nanoTime();
        float[] logits = d.apply(prompt);
        long t1 = System.nanoTime();
        for (int i = 0; i < tokens - 1; i++) logits = d.apply(new int[] {argmax(logits)});
        long t2 = System.nanoTime();
        double prefill = promptTokens / ((t1 - t0) / 1e9), decode = (tokens - 1) / ((t2 - t1) / 1e9);
        double gbps = bytes * decode / 1e9;
        double read = bandwidthMib > 0 ? MemoryBandwidth.readGbPerSecond(bandwidthMib, 10) : Double.NaN;
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode o = mapper.createObjectNode();
            o.put("model", model.toString());
            o.put("architecture", architecture);
            o.put("threads", threads);
            o.put("prefill_tokens_per_second", prefill);
            o.put("decode_tokens_per_second", decode);
            o.put("weight_bytes_per_token", bytes);
            o.put("weight_gb_per_second", gbps);
            o.put("read_bandwidth_gb_per_second", read);
            o.put("bandwidth_share", gbps / read);
            spec.commandLine().getOut().println(mapper.writeValueAsString(o));
        } else {
            spec.commandLine().getOut().printf("%s: %d threads, prompt %d: %.2f tokens/s, decode %d: %.2f tokens/s;"
                            + " %.3f GB of weights per token = %.1f GB/s, %.0f %% of the %.1f GB/s read bandwidth%n",
                    model.getFileName(), threads, promptTokens, prefill, tokens - 1, decode, bytes / 1e9, gbps, 100 * gbps / read, read);
        }
        return 0;
    }

    /** Bytes of the matrices a decode step streams (each once, as held: the file's blocks in place). */
    private static long matrixBytes(CausalLM m) {
        java.util.Set<Tensor> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        long n = 0;
        for (Tensor w : m.streamedMatrices()) if (seen.add(w)) n += w.byteSize();
        return n;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
