package dev.jllm.io.gguf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jllm.chat.ChatTemplate;
import dev.jllm.testing.Fuzzing;
import java.nio.file.Path;

/**
 * Arbitrary bytes as a GGUF file (Jazzer; see RELIABILITY.md): opened with every metadata value and tensor read, then
 * mapped onto its model (GPT-2, or Llama/Qwen3/Gemma 3 with the decoder's matrices), its {@code tokenizer.ggml.*}
 * vocabulary built and used, its chat template parsed; or refused with one line. The file is closed every time
 * (a loaded model would keep it mapped).
 */
class GgufFuzzTest {
    private static final Path FILE = Fuzzing.scratch("gguf").resolve("model.gguf");

    @FuzzTest(maxDuration = "10m")
    void fuzz(byte[] bytes) throws Exception {
        Fuzzing.write(FILE, bytes);
        Fuzzing.readsOrRefuses(() -> {
            try (GgufFile f = GgufFile.open(FILE)) {
                for (GgufFile.TensorInfo t : f.tensors().values()) f.floats(t);
                if (GgufTokenizer.isIn(f)) {
                    GgufTokenizer.read(f).encodeWithSpecials("Hello world, héllo  \t\n 123 <|x|> ▁");
                    GgufTokenizer.templateTokens(f);
                }
                String arch = f.architecture();
                if (arch.equals(GgufGpt2.ARCHITECTURE)) {
                    GgufGpt2.read(f);
                } else if (GgufDecoder.ARCHITECTURES.containsKey(arch)) {
                    GgufDecoder.read(f).decoder(2, null).append(0);
                }
            }
            ChatTemplate.find(FILE);
        });
    }
}
