package dev.jllm.tokenizer;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.jllm.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * GPT-2 encoding throughput on tinyshakespeare (1.06 MiB), jllm against jtokkit's r50k_base in the same run,
 * one thread. Each operation encodes the whole text: MB/s = ops/s × 1.115. {@code jllmNoCache} is jllm without its
 * piece cache, i.e. the pre-tokenizer and BPE alone.
 *
 * <p>Run: {@code ./mvnw -q -Pjmh test -DskipTests -Djmh=EncodeBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class EncodeBenchmark {
    String text;
    Gpt2Tokenizer jllm;
    Gpt2Tokenizer jllmNoCache;
    Encoding jtokkit;

    @Setup
    public void setUp() throws IOException {
        Path file = SharedData.dir().resolve("data/tinyshakespeare.txt");
        if (!Files.isRegularFile(file)) throw new IOException(file + ": not found (the benchmark reads ../shared/data)");
        text = Files.readString(file);
        jllm = Gpt2Tokenizer.builtIn();
        jllmNoCache = new Gpt2Tokenizer(jllm.vocabulary(), 0);
        jtokkit = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
    }

    @Benchmark
    public int[] jllm() {
        return jllm.encodeOrdinary(text);
    }

    @Benchmark
    public int[] jllmNoCache() {
        return jllmNoCache.encodeOrdinary(text);
    }

    @Benchmark
    public Object jtokkit() {
        return jtokkit.encodeOrdinary(text);
    }
}
