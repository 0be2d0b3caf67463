package dev.jllm.io.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.model.KVCacheDecoder;
import dev.jllm.model.QuantizedWeights;
import dev.jllm.io.GptCheckpoint;
import dev.jllm.io.GptNames;
import dev.jllm.io.StateDict;
import dev.jllm.kernels.quant.GgmlType;
import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.model.TestModels;
import dev.jllm.tensor.Tensor;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** GPT-2 written to GGUF and read back; decoding on the file's quantized blocks against fp32 on their values. */
class GgufGpt2Test {

    /** emb 64 (rows of 64 and 256 values: whole Q8_0/Q4_0 blocks; Q4_K falls back to Q8_0 for the 64s). */
    static final GptConfig CONFIG = new GptConfig(97, 48, 64, 4, 2, 0f, true, false);

    static GptModel model() {
        GptModel m = TestModels.random(CONFIG, 17, 0.08);
        m.eval();
        return m;
    }

    static StateDict canonical(GptModel m) {
        return GptNames.canonical(StateDict.of(m.stateDict()));
    }

    @Test
    void float32RoundTripIsExact(@TempDir Path dir) throws IOException {
        GptModel m = model();
        Path file = dir.resolve("m.gguf");
        GgufGpt2.write(CONFIG, canonical(m), null, GgmlType.F32, "tiny", file);
        try (GgufFile f = GgufFile.open(file)) {
            GptCheckpoint back = GgufGpt2.read(f);
            assertThat(back.config()).usingRecursiveComparison().ignoringFields("dropRate").isEqualTo(CONFIG);
            StateDict expected = canonical(m);
            for (Map.Entry<String, Tensor> e : expected.tensors().entrySet()) {
                assertThat(back.weights().require(e.getKey()).data()).as(e.getKey()).isEqualTo(e.getValue().data());
                assertThat(back.weights().require(e.getKey()).shape()).as(e.getKey()).isEqualTo(e.getValue().shape());
            }
            assertThat(f.tensor("blk.1.attn_qkv.weight").ne()).containsExactly(64, 192); // [out, in] as ne = [in, out]
            assertThat(f.integer("gpt2.block_count")).isEqualTo(2);
        }
    }

    /**
     * Q8_0 decoding: logits of the quantized products within 1e-4 · (1 + max |logit|) of fp32 decoding on the
     * dequantized weights, and the same 32 greedy ids.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_K"})
    void quantizedDecodingMatchesFloat32OnTheDequantizedWeights(GgmlType type, @TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.gguf");
        GgufGpt2.write(CONFIG, canonical(model()), null, type, "tiny", file);
        try (GgufFile f = GgufFile.open(file)) {
            GptCheckpoint back = GgufGpt2.read(f);
            GptModel dequantized = GptModel.fromStateDict(back.config(), back.weights().tensors());
            dequantized.eval();
            QuantizedWeights quant = GgufGpt2.decodeWeights(dequantized, f);
            assertThat(f.tensor("blk.0.attn_qkv.weight").type()).isEqualTo(type == GgmlType.Q4_K ? GgmlType.Q8_0 : type);
            assertThat(f.tensor("blk.0.ffn_down.weight").type()).isEqualTo(type);
            KVCacheDecoder reference = dequantized.decoder();
            KVCacheDecoder quantized = dequantized.quantizedDecoder(CONFIG.contextLength(), quant);
            int[] prompt = {5, 17, 3, 88, 41, 0, 9, 60};
            float[] a = reference.append(prompt), b = quantized.append(prompt);
            int[] greedyA = new int[32], greedyB = new int[32];
            for (int step = 0; step < 32; step++) {
                assertClose(a, b);
                greedyA[step] = argmax(a);
                greedyB[step] = argmax(b);
                a = reference.append(greedyA[step]);
                b = quantized.append(greedyB[step]);
            }
            assertThat(greedyB).isEqualTo(greedyA);
        }
    }

    static void assertClose(float[] a, float[] b) {
        float max = 0;
        for (float v : a) max = Math.max(max, Math.abs(v));
        for (int i = 0; i < a.length; i++) assertThat(b[i]).isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-4f * (1 + max)));
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    @Test
    void tokenizerRoundTripsThroughTheMetadata(@TempDir Path dir) throws IOException {
        GptConfig config = new GptConfig(50257, 8, 32, 2, 1, 0f, true, true);
        Path file = dir.resolve("tok.gguf");
        Gpt2Tokenizer gpt2 = Gpt2Tokenizer.builtIn();
        GgufGpt2.write(config, canonical(TestModels.random(config, 1, 0.02)), gpt2, GgmlType.Q8_0, "tok", file);
        try (GgufFile f = GgufFile.open(file)) {
            Gpt2Tokenizer back = GgufGpt2.tokenizer(f);
            String text = "Hello, wörld! It's 2026 — <|endoftext|> and   spaces\n\ttabs 🙂";
            assertThat(back.encode(text, java.util.Set.of("<|endoftext|>"))).isEqualTo(gpt2.encode(text, java.util.Set.of("<|endoftext|>")));
            assertThat(back.vocabSize()).isEqualTo(50257);
            assertThat(f.integer("tokenizer.ggml.eos_token_id")).isEqualTo(50256);
            assertThat(f.integers("tokenizer.ggml.token_type")[50256]).isEqualTo(3);
        }
    }

    @Test
    void otherArchitecturesAndMissingTensorsAreOneLineErrors(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.gguf");
        GgufGpt2.write(CONFIG, canonical(model()), null, GgmlType.Q8_0, "tiny", file);
        // drop a tensor by writing a file without it
        try (GgufFile f = GgufFile.open(file)) {
            GgufWriter w = new GgufWriter();
            f.metadata().forEach(w::put);
            for (GgufFile.TensorInfo t : f.tensors().values()) {
                if (!t.name().equals("blk.1.ffn_up.weight")) w.tensor(t.name(), t.type(), t.ne(), f.bytes(t));
            }
            w.write(dir.resolve("missing.gguf"));
        }
        try (GgufFile f = GgufFile.open(dir.resolve("missing.gguf"))) {
            assertThatThrownBy(() -> GgufGpt2.read(f)).hasMessageContaining("no tensor 'blk.1.ffn_up.weight'");
        }
    }

    /**
     * The files jllm writes read back in the gguf package: tools/reference/gguf_readback.py ran on the files of
     * {@link #write} and its result is committed (gguf/readback.json); the same files must give the same summary.
     * {@code -Djllm.gguf.dump=DIR} copies the files to DIR, to re-run the script.
     */
    @Test
    void ggufPackageReadsBackWhatJllmWrites(@TempDir Path dir) throws IOException {
        JsonNode expected;
        try (InputStream in = GgufGpt2Test.class.getResourceAsStream("/gguf/readback.json")) {
            expected = new ObjectMapper().readTree(in);
        }
        String dump = System.getProperty("jllm.gguf.dump");
        for (String fileName : new String[] {"gpt2-q8_0.gguf", "gpt2-q4_0.gguf", "gpt2-q4_k.gguf", "gpt2-q5_k.gguf", "gpt2-q6_k.gguf"}) {
            GgmlType type = GgmlType.valueOf(fileName.replace("gpt2-", "").replace(".gguf", "").toUpperCase());
            Path file = dir.resolve(fileName);
            GgufGpt2.write(CONFIG, canonical(model()), null, type, "readback", file);
            if (dump != null) {
                Files.copy(file, Path.of(dump).resolve(fileName), StandardCopyOption.REPLACE_EXISTING);
                continue; // making the files for the script, not checking
            }
            JsonNode py = expected.get(fileName);
            assertThat(py).as("readback.json has " + fileName).isNotNull();
            try (GgufFile f = GgufFile.open(file)) {
                assertThat(py.get("architecture").asText()).isEqualTo(f.architecture());
                assertThat(py.get("tensors").size()).isEqualTo(f.tensors().size());
                for (GgufFile.TensorInfo t : f.tensors().values()) {
                    JsonNode p = py.get("tensors").get(t.name());
                    assertThat(p).as(t.name()).isNotNull();
                    assertThat(p.get("type").asText()).as(t.name()).isEqualTo(t.type().name());
                    assertThat(p.get("shape").toString()).as(t.name()).isEqualTo(java.util.Arrays.toString(t.shape()).replace(" ", ""));
                    double sum = 0, abs = 0;
                    for (float v : f.floats(t)) {
                        sum += v;
                        abs += Math.abs(v);
                    }
                    assertThat(sum).as(t.name()).isCloseTo(p.get("sum").asDouble(), org.assertj.core.data.Offset.offset(1e-9 * (1 + abs)));
                    assertThat(abs).as(t.name()).isCloseTo(p.get("abs").asDouble(), org.assertj.core.data.Offset.offset(1e-9 * (1 + abs)));
                }
            }
        }
    }
}
