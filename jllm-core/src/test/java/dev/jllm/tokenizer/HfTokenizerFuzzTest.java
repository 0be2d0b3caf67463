package dev.jllm.tokenizer;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jllm.testing.Fuzzing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Arbitrary Hugging Face tokenizer files: a {@code tokenizer.json} (and a {@code tokenizer_config.json} beside it),
 * read and used to encode and decode a text with specials and emoji, or refused with one line (Jazzer).
 * Input layout: bytes 0-1 (big-endian) are the length of tokenizer_config.json, which follows (absent when 0);
 * the rest is tokenizer.json. Read without the loader's cache, so that every input is parsed.
 */
class HfTokenizerFuzzTest {
    private static final Path DIR = Fuzzing.scratch("hf-tokenizer");

    @FuzzTest(maxDuration = "10m")
    void fuzz(byte[] input) throws Exception {
        if (input.length < 2) return;
        int configLength = Math.min((input[0] & 0xFF) << 8 | (input[1] & 0xFF), input.length - 2);
        Path config = DIR.resolve("tokenizer_config.json");
        if (configLength == 0) Files.deleteIfExists(config);
        else Fuzzing.write(config, Arrays.copyOfRange(input, 2, 2 + configLength));
        Fuzzing.write(DIR.resolve("tokenizer.json"), Arrays.copyOfRange(input, 2 + configLength, input.length));
        Fuzzing.readsOrRefuses(() -> {
            HfTokenizer t = HfTokenizerReader.read(DIR);
            int[] ids = t.encode("Hello, wörld! 123  \t\n<|endoftext|> 你好 👩‍👩‍👧 e\u0301");
            t.decode(ids);
        });
    }
}
