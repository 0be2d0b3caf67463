package dev.jllm.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jllm.testing.Fuzzing;
import java.nio.file.Path;

/** Arbitrary bytes as a model's config.json or hparams.json: a config, or one line (Jazzer; see RELIABILITY.md). */
class ConfigJsonFuzzTest {
    private static final Path FILE = Fuzzing.scratch("config").resolve("config.json");

    @FuzzTest(maxDuration = "10m")
    void fuzz(byte[] bytes) throws Exception {
        Fuzzing.write(FILE, bytes);
        Fuzzing.readsOrRefuses(() -> GptConfigJson.read(FILE));
    }
}
