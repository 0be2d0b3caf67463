package dev.jllm.io.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.kernels.quant.GgmlType;
import dev.jllm.model.DecoderConfig;
import dev.jllm.model.DecoderModel;
import dev.jllm.model.KVCacheDecoder;
import dev.jllm.nn.RotaryEmbedding;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Llama 3, Qwen3 and Gemma 3 GGUF files mapped onto jllm's {@link DecoderModel}: files laid out as llama.cpp's
 * converter does (tools/reference/gguf_llama_golden.py, gguf_gemma3_golden.py) give transformers' logits, both
 * through the float32 forward pass and through the decoder that multiplies with the file's blocks; and a model
 * written by {@link GgufDecoder#write} reads back as itself (Q8_0: logits within the bound of float32 on the
 * dequantized weights, 32 equal greedy ids).
 */
class GgufDecoderTest {

    static JsonNode golden(String file) throws IOException {
        try (InputStream in = GgufDecoderTest.class.getResourceAsStream("/gguf/" + file)) {
            return new ObjectMapper().readTree(in);
        }
    }

    static void assertClose(float[] actual, JsonNode expected, String what) {
        double max = 0;
        for (JsonNode e : expected) max = Math.max(max, Math.abs(e.asDouble()));
        assertThat(actual).hasSize(expected.size());
        for (int i = 0; i < actual.length; i++) {
            assertThat((double) actual[i]).as("%s logit %d", what, i).isCloseTo(expected.get(i).asDouble(), Offset.offset(1e-4 * (1 + max)));
        }
    }

    @ParameterizedTest
    @CsvSource({"llama-tiny.gguf, llama_golden.json", "qwen3-tiny.gguf, llama_golden.json", "gemma3-tiny.gguf, gemma3_golden.json"})
    void givesTransformersLogits(String name, String goldenFile) throws IOException {
        JsonNode g = golden(goldenFile).get(name);
        int[] ids = new int[g.get("ids").size()];
        for (int i = 0; i < ids.length; i++) ids[i] = g.get("ids").get(i).asInt();
        try (GgufFile f = GgufFile.open(GgufTestFiles.resource(name))) {
            DecoderModel model = GgufDecoder.read(f);
            model.eval();
            Tensor logits = model.forward(ids, 1, ids.length);
            int v = model.config.vocabSize();
            for (int p = 0; p < ids.length; p++) {
                float[] row = java.util.Arrays.copyOfRange(logits.data(), p * v, (p + 1) * v);
                assertClose(row, g.get("logits").get(p), name + " forward, position " + p);
            }
            KVCacheDecoder d = model.quantizedDecoder(ids.length, GgufDecoder.decodeWeights(model, f));
            for (int p = 0; p < ids.length; p++) assertClose(d.append(ids[p]), g.get("logits").get(p), name + " decoder, position " + p);
        }
    }

    static DecoderModel tiny(String preset, long seed) {
        DecoderConfig c = DecoderConfig.preset(preset).withSizes(64, 96, 3, 4, 2, 16).withVocabSize(160).withMaxPositions(96);
        if (c.family() == DecoderConfig.Family.GEMMA3) {
            c = new DecoderConfig(c.family(), c.vocabSize(), c.hiddenSize(), c.intermediateSize(), c.nLayers(), c.nHeads(),
                    c.nKvHeads(), c.headDim(), c.maxPositions(), c.rmsEps(), c.rope(), c.localRope(), c.queryPreAttnScalar(), 8,
                    java.util.List.of(true, false, true), c.tiedHead(), c.attentionBias(), c.finalLogitSoftcap(), c.bosId(),
                    c.eosIds(), c.padId());
        }
        DecoderModel m = DecoderModel.create(c, seed);
        SplittableRandom rng = new SplittableRandom(seed);
        for (var e : m.namedParameters().entrySet()) { // norms away from their neutral value, so that a lost shift shows
            if (e.getValue().rank() == 1) {
                float[] d = e.getValue().data();
                for (int i = 0; i < d.length; i++) d[i] += (float) (0.2 * rng.nextGaussian());
            }
        }
        m.eval();
        return m;
    }

    /** A float32 file reads back as the model it was written from (Gemma's 1 + w costs a rounding of the norms at most). */
    @ParameterizedTest
    @ValueSource(strings = {"llama3.2-1b", "qwen3-0.6b", "gemma3-270m"})
    void float32RoundTrip(String preset, @TempDir Path dir) throws IOException {
        DecoderModel m = tiny(preset, 3);
        Path file = dir.resolve("m.gguf");
        GgufDecoder.write(m, GgmlType.F32, "tiny", null, file);
        try (GgufFile f = GgufFile.open(file)) {
            DecoderModel back = GgufDecoder.read(f);
            back.eval();
            assertThat(back.config.withMaxPositions(1)).usingRecursiveComparison()
                    .ignoringFields("rope", "localRope", "bosId", "eosIds", "padId").isEqualTo(m.config.withMaxPositions(1));
            for (boolean local : new boolean[] {false, true}) { // llama3 settings come back as others with the same frequencies
                float[] want = RotaryEmbedding.inverseFrequencies(16, local ? m.config.localRope() : m.config.rope());
                float[] got = RotaryEmbedding.inverseFrequencies(16, local ? back.config.localRope() : back.config.rope());
                for (int i = 0; i < want.length; i++) assertThat(got[i]).isCloseTo(want[i], Offset.offset(1e-6f * want[i]));
            }
            int[] ids = {1, 17, 33, 5, 90, 61, 7, 120, 44, 3, 9, 150};
            float[] a = m.forward(ids, 1, ids.length).data(), b = back.forward(ids, 1, ids.length).data();
            float max = 0;
            for (float x : a) max = Math.max(max, Math.abs(x));
            for (int i = 0; i < a.length; i++) assertThat(b[i]).isCloseTo(a[i], Offset.offset(1e-5f * (1 + max)));
        }
    }

    /** Q8_0 blocks decoded in place: within 1e-4 · (1 + max |logit|) of float32 on the dequantized weights, same 32 greedy ids. */
    @ParameterizedTest
    @ValueSource(strings = {"llama3.2-1b", "qwen3-0.6b", "gemma3-270m"})
    void q8_0MatchesFloat32OnTheDequantizedWeights(String preset, @TempDir Path dir) throws IOException {
        Path file = dir.resolve("q8.gguf");
        GgufDecoder.write(tiny(preset, 5), GgmlType.Q8_0, "tiny", null, file);
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.tensor("blk.0.attn_q.weight").type()).isEqualTo(GgmlType.Q8_0);
            DecoderModel model = GgufDecoder.read(f);
            model.eval();
            KVCacheDecoder ref = model.decoder(64, null), quant = model.quantizedDecoder(64, GgufDecoder.decodeWeights(model, f));
            GgufTestFiles.assertSameGreedyIds(ref::append, quant::append, new int[] {1, 17, 33, 5, 90, 61}, 32);
        }
    }

    @Test
    void llama3RopeSettingsComeBackFromTheDivisors() {
        for (int headDim : new int[] {8, 16, 64, 128}) {
            for (int original : new int[] {16, 8192}) {
                DecoderConfig.Rope rope = new DecoderConfig.Rope(500000, "llama3", 32, 1, 4, original);
                float[] plain = RotaryEmbedding.inverseFrequencies(headDim, DecoderConfig.Rope.plain(500000));
                float[] scaled = RotaryEmbedding.inverseFrequencies(headDim, rope);
                float[] factors = new float[plain.length];
                for (int i = 0; i < factors.length; i++) factors[i] = (float) (plain[i] / (double) scaled[i]);
                DecoderConfig.Rope back = GgufDecoder.llama3Rope(factors, headDim, 500000, original);
                float[] again = RotaryEmbedding.inverseFrequencies(headDim, back);
                for (int i = 0; i < again.length; i++) {
                    assertThat(again[i]).as("head %d, original %d, frequency %d", headDim, original, i)
                            .isCloseTo(scaled[i], Offset.offset(1e-6f * scaled[i]));
                }
            }
        }
        assertThatThrownBy(() -> GgufDecoder.llama3Rope(new float[] {1, 3, 2, 8}, 8, 10000, 16))
                .hasMessageContaining("not Llama 3's rope scaling");
    }

    @Test
    void permutationIsLlamaCppsOrderOfRows() {
        // llama.cpp: w.reshape(heads, 2, hd/2, in).swapaxes(1, 2): the file's rows of a head are 0, hd/2, 1, hd/2+1, ...
        int[] rows = GgufDecoder.permutation(1, 8);
        int[] fileToHf = new int[8];
        for (int hf = 0; hf < 8; hf++) fileToHf[rows[hf]] = hf;
        assertThat(fileToHf).containsExactly(0, 4, 1, 5, 2, 6, 3, 7);
    }
}
