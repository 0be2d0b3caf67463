package dev.jllm.finetune;

import dev.jllm.finetune.classify.*;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jllm.testing.Fuzzing;
import java.nio.file.Path;

/** Arbitrary bytes as a TSV or CSV of labelled texts: examples, or one line (Jazzer; see RELIABILITY.md). */
class TableFuzzTest {
    private static final Path DIR = Fuzzing.scratch("table");

    @FuzzTest(maxDuration = "10m")
    void fuzz(byte[] bytes) throws Exception {
        for (String name : new String[] {"data.tsv", "data.csv"}) {
            Path file = Fuzzing.write(DIR.resolve(name), bytes);
            Fuzzing.readsOrRefuses(() -> ClassificationData.read(file, null, null, null));
        }
    }
}
