package dev.jllm.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jllm.testing.Fuzzing;
import java.nio.file.Path;

/** Arbitrary bytes as a token file: every id read, or one line (Jazzer; see RELIABILITY.md). */
class TokenFileFuzzTest {
    private static final Path FILE = Fuzzing.scratch("tokens").resolve("corpus.tok");

    @FuzzTest(maxDuration = "10m")
    void fuzz(byte[] bytes) throws Exception {
        Fuzzing.write(FILE, bytes);
        Fuzzing.readsOrRefuses(() -> {
            try (TokenFile f = TokenFile.open(FILE)) {
                int[] all = new int[(int) f.length()];
                f.copy(0, all, 0, all.length);
                for (int id : all) {
                    if (id < 0 || id >= f.vocabSize()) throw new AssertionError("id " + id + " passed the check");
                }
            }
        });
    }
}
