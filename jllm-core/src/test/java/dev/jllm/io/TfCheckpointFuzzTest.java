package dev.jllm.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jllm.testing.Fuzzing;
import java.nio.file.Path;

/**
 * Arbitrary bytes as a TensorFlow checkpoint's {@code .index} (a LevelDB table of protobuf entries) beside a
 * 64-byte data file: read, or refused with one line (Jazzer; see RELIABILITY.md).
 */
class TfCheckpointFuzzTest {
    private static final Path PREFIX = Fuzzing.scratch("tf").resolve("model.ckpt");

    static {
        Fuzzing.write(TfCheckpoint.dataFile(PREFIX, 0, 1), new byte[64]);
    }

    @FuzzTest(maxDuration = "10m")
    void fuzz(byte[] index) throws Exception {
        Fuzzing.write(TfCheckpoint.indexFile(PREFIX), index);
        Fuzzing.readsOrRefuses(() -> TfCheckpoint.read(PREFIX));
    }
}
