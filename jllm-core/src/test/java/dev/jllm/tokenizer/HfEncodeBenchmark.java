package dev.jllm.tokenizer;

import dev.jllm.testing.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding throughput of the Hugging Face tokenizers (Llama 3, Qwen3, Gemma 3) on tinyshakespeare (1.115 MB):
 * {@code single} encodes the whole text on one thread; {@code allCores} encodes it as chunks of 100 lines on
 * all cores (the common pool), each with the pre-token cache emptied first. MB/s = ops/s × 1.115. The Rust {@code tokenizers} library on the same text:
 * {@code tools/bench/hf_tokenize_rust.py}; both: {@code tools/bench/hf_tokenize_compare.sh}.
 *
 * <p>Run: {@code ./mvnw -q -Pjmh test -DskipTests -Djmh=HfEncodeBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HfEncodeBenchmark {
    @Param({"llama3", "qwen3", "gemma3"})
    public String family;

    String text;
    List<String> chunks;
    HfTokenizer tokenizer;

    @Setup
    public void setUp() throws IOException {
        Path file = SharedData.dir().resolve("data/tinyshakespeare.txt");
        if (!Files.isRegularFile(file)) throw new IOException(file + ": not found (the benchmark reads ../shared/data)");
        text = Files.readString(file, StandardCharsets.UTF_8);
        chunks = chunks(text, 100);
        tokenizer = HfTokenizer.load(SharedData.dir().resolve("data/tokenizers/" + family));
    }

    /** The text cut after every {@code lines}-th newline (the pieces joined give the text back). */
    static List<String> chunks(String text, int lines) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int seen = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n' && ++seen % lines == 0) {
                out.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) out.add(text.substring(start));
        return out;
    }

    @Benchmark
    public int[] single() {
        tokenizer.clearCache(); // a first pass over the text, not cache hits
        return tokenizer.encodeWithSpecials(text);
    }

    @Benchmark
    public long allCores() {
        tokenizer.clearCache();
        return chunks.parallelStream().mapToLong(c -> tokenizer.encodeWithSpecials(c).length).sum();
    }
}
