package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.io.DecoderFiles;
import dev.jllm.io.Dtype;
import dev.jllm.model.DecoderConfig;
import dev.jllm.model.DecoderModel;
import dev.jllm.tokenizer.HfTokenizer;
import dev.jllm.tokenizer.SharedTokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GGUF file alone is enough to chat: {@code jllm quantize} writes a tiny random Llama 3 / Qwen3 / Gemma 3 model
 * folder (with the family's real tokenizer.json and chat template) as GGUF, the file is moved away from the folder,
 * and {@code jllm chat} on it replies exactly as on the folder: the tokenizer and template come from its metadata.
 * Generating on a Q8_0 file streams its blocks and gives the ids of float32 on their values.
 */
class GgufChatTest {

    static Path folder(Path dir, String family, String preset) throws Exception {
        HfTokenizer tok = SharedTokenizers.get(family);
        Path model = dir.resolve(family);
        DecoderConfig c = DecoderConfig.preset(preset).withSizes(16, 32, 2, 2, 1, 8);
        c = c.withVocabSize(Math.max(c.vocabSize(), tok.vocabSize() - (family.equals("gemma3") ? 1 : 0))).withMaxPositions(512);
        DecoderModel m = DecoderModel.create(c, 11);
        DecoderFiles.save(model, m, Dtype.F32);
        for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
            Files.copy(SharedTokenizers.dir(family).resolve(f), model.resolve(f));
        }
        return model;
    }

    @ParameterizedTest
    @CsvSource({"qwen3, qwen3-0.6b", "llama3, llama3.2-1b", "gemma3, gemma3-270m"})
    void chatsOnTheGgufFileAloneAsOnItsFolder(String family, String preset, @TempDir Path dir) throws Exception {
        Path model = folder(dir, family, preset);
        Path gguf = Files.createDirectories(dir.resolve("alone")).resolve("model.gguf");
        ModelCommandsTest.Run q = ModelCommandsTest.run("quantize", "--model", model.toString(), "--type", "f32", "--out",
                gguf.toString());
        assertThat(q.exit()).as(q.err()).isZero();
        ModelCommandsTest.Run info = ModelCommandsTest.run("info", "--model", gguf.toString(), "--json");
        assertThat(info.exit()).as(info.err()).isZero();
        assertThat(info.json().get("config").get("hiddenSize").asInt()).isEqualTo(16);
        assertThat(info.json().get("config").get("family").asText()).isEqualTo(DecoderConfig.preset(preset).family().name());

        String input = "What is 2+2?\nAnd 3+3?\n";
        ModelCommandsTest.Run onFolder = ChatCommandTest.chat(input, "--model", model.toString(), "--max-tokens", "6");
        ModelCommandsTest.Run onFile = ChatCommandTest.chat(input, "--model", gguf.toString(), "--max-tokens", "6");
        assertThat(onFolder.exit()).as(onFolder.err()).isZero();
        assertThat(onFile.exit()).as(onFile.err()).isZero();
        assertThat(onFile.out()).isEqualTo(onFolder.out());
        assertThat(onFile.out()).isNotBlank();
    }

    /** generate on a Q8_0 file's own blocks = fp32 on their dequantized values (32 greedy ids); --dtype q8_0 on the folder. */
    @ParameterizedTest
    @CsvSource({"qwen3-0.6b", "llama3.2-1b", "gemma3-270m"})
    void generatesOnTheFilesBlocksAsOnTheirValues(String preset, @TempDir Path dir) throws Exception {
        Path model = dir.resolve("model");
        DecoderFiles.save(model, DecoderModel.create(DecoderConfig.preset(preset).withSizes(64, 96, 2, 4, 2, 16)
                .withVocabSize(160).withMaxPositions(128), 7), Dtype.F32);
        Path gguf = dir.resolve("model-q8_0.gguf");
        ModelCommandsTest.Run q = ModelCommandsTest.run("quantize", "--model", model.toString(), "--type", "q8_0", "--out", gguf.toString());
        assertThat(q.exit()).as(q.err()).isZero();
        String[] prompt = {"--prompt-ids", "1,17,33,5,90,61", "--max-tokens", "32", "--json"};
        ModelCommandsTest.Run blocks = ModelCommandsTest.run(concat(new String[] {"generate", "--model", gguf.toString()}, prompt));
        ModelCommandsTest.Run fp32 = ModelCommandsTest.run(concat(new String[] {"generate", "--model", gguf.toString(), "--dtype", "fp32"}, prompt));
        assertThat(blocks.exit()).as(blocks.err()).isZero();
        assertThat(blocks.json().get("ids")).hasSize(32).isEqualTo(fp32.json().get("ids"));
        ModelCommandsTest.Run onLoad = ModelCommandsTest.run(concat(new String[] {"generate", "--model", model.toString(), "--dtype", "q8_0"}, prompt));
        assertThat(onLoad.exit()).as(onLoad.err()).isZero();
        assertThat(onLoad.json().get("ids")).hasSize(32);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
