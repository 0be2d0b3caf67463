package dev.jllm.tokenizer;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jllm.testing.Fuzzing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Arbitrary tokenizer files: {@code vocab.json} + {@code merges.txt}, {@code encoder.json} + {@code vocab.bpe}, or a
 * {@code .tiktoken} rank file, loaded and used to encode and decode a text, or refused with one line (Jazzer).
 * Input layout: byte 0 picks the layout; for a pair, bytes 1-2 (big-endian) are the length of the first file, which
 * follows, and the rest is the second file.
 */
class VocabularyFuzzTest {
    private static final Path ROOT = Fuzzing.scratch("vocab");
    private static final String[][] LAYOUTS = {{"vocab.json", "merges.txt"}, {"encoder.json", "vocab.bpe"}, {"r.tiktoken"}};

    @FuzzTest(maxDuration = "10m")
    void fuzz(byte[] input) throws Exception {
        if (input.length < 3) return;
        String[] layout = LAYOUTS[(input[0] & 0xFF) % LAYOUTS.length];
        Path dir = ROOT.resolve(layout[0]);
        Files.createDirectories(dir);
        if (layout.length == 1) {
            Fuzzing.write(dir.resolve(layout[0]), Arrays.copyOfRange(input, 1, input.length));
        } else {
            int first = Math.min(((input[1] & 0xFF) << 8 | (input[2] & 0xFF)), input.length - 3);
            Fuzzing.write(dir.resolve(layout[0]), Arrays.copyOfRange(input, 3, 3 + first));
            Fuzzing.write(dir.resolve(layout[1]), Arrays.copyOfRange(input, 3 + first, input.length));
        }
        Fuzzing.readsOrRefuses(() -> {
            Gpt2Tokenizer t = Gpt2Tokenizer.load(dir);
            int[] ids = t.encode("Hello, wörld! 123 <|x|>");
            t.decode(ids);
        });
    }
}
