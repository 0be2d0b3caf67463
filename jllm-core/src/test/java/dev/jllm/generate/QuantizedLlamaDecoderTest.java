package dev.jllm.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.io.gguf.GgufFile;
import dev.jllm.io.gguf.GgufLlama;
import dev.jllm.io.gguf.GgufRequantize;
import dev.jllm.io.gguf.GgufTestFiles;
import dev.jllm.kernels.quant.GgmlType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Llama 3 (permuted q/k, rope_freqs) and Qwen3 GGUF files (tools/reference/gguf_llama_golden.py) decoded token by
 * token against transformers' logits; then the same files in Q8_0 against fp32 decoding of their dequantized values.
 */
class QuantizedLlamaDecoderTest {

    static JsonNode golden() throws IOException {
        try (InputStream in = QuantizedLlamaDecoderTest.class.getResourceAsStream("/gguf/llama_golden.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny.gguf", "qwen3-tiny.gguf"})
    void float32FileMatchesTransformers(String name) throws IOException {
        JsonNode g = golden().get(name);
        try (GgufFile f = GgufFile.open(GgufTestFiles.resource(name))) {
            GgufLlama model = GgufLlama.read(f);
            QuantizedLlamaDecoder d = new QuantizedLlamaDecoder(model, 64);
            JsonNode ids = g.get("ids");
            for (int p = 0; p < ids.size(); p++) {
                float[] logits = d.append(ids.get(p).asInt());
                JsonNode expected = g.get("logits").get(p);
                double max = 0;
                for (JsonNode e : expected) max = Math.max(max, Math.abs(e.asDouble()));
                for (int i = 0; i < logits.length; i++) {
                    assertThat((double) logits[i]).as("%s position %d logit %d", name, p, i)
                            .isCloseTo(expected.get(i).asDouble(), Offset.offset(1e-4 * (1 + max)));
                }
            }
        }
    }

    /** Q8_0 products within 1e-4 · (1 + max |logit|) of fp32 on the dequantized weights, and 32 equal greedy ids. */
    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny.gguf", "qwen3-tiny.gguf"})
    void q8_0MatchesFloat32OnTheDequantizedWeights(String name, @TempDir Path dir) throws IOException {
        Path q8 = dir.resolve("q8.gguf"), back = dir.resolve("f32.gguf");
        try (GgufFile f = GgufFile.open(GgufTestFiles.resource(name))) {
            GgufRequantize.write(f, GgmlType.Q8_0, q8);
        }
        try (GgufFile f = GgufFile.open(q8)) {
            assertThat(f.tensor("blk.0.attn_q.weight").type()).isEqualTo(GgmlType.Q8_0);
            GgufRequantize.write(f, GgmlType.F32, back);
        }
        try (GgufFile fq = GgufFile.open(q8); GgufFile ff = GgufFile.open(back)) {
            QuantizedLlamaDecoder quant = new QuantizedLlamaDecoder(GgufLlama.read(fq), 64);
            QuantizedLlamaDecoder ref = new QuantizedLlamaDecoder(GgufLlama.read(ff), 64);
            GgufTestFiles.assertSameGreedyIds(ref::append, quant::append, new int[] {1, 17, 33, 5, 90, 61}, 32);
        }
    }
}
