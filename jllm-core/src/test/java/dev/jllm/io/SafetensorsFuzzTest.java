package dev.jllm.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jllm.testing.Fuzzing;
import java.nio.file.Path;

/** Arbitrary bytes as a safetensors file: read whole, or refused with one line (Jazzer; see RELIABILITY.md). */
class SafetensorsFuzzTest {
    private static final Path FILE = Fuzzing.scratch("safetensors").resolve("model.safetensors");

    @FuzzTest(maxDuration = "10m")
    void fuzz(byte[] bytes) throws Exception {
        Fuzzing.write(FILE, bytes);
        Fuzzing.readsOrRefuses(() -> {
            try (SafetensorsFile f = SafetensorsFile.open(FILE)) {
                f.readAll();
            }
        });
    }
}
