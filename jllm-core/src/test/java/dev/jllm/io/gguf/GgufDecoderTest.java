package dev.jllm.io.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.kernels.quant.GgmlType;
import dev.jllm.model.CausalLM;
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
            DecoderModel fp32 = (DecoderModel) model.copy(null);
            fp32.eval();
            for (DecoderModel m : new DecoderModel[] {model, fp32}) {
                Tensor logits = m.forward(ids, 1, ids.length);
                int v = m.config.vocabSize();
                for (int p = 0; p < ids.length; p++) {
                    float[] row = java.util.Arrays.copyOfRange(logits.data(), p * v, (p + 1) * v);
                    assertClose(row, g.get("logits").get(p), name + " forward, position " + p);
                }
                KVCacheDecoder d = m.decoder(ids.length, null);
                for (int p = 0; p < ids.length; p++) assertClose(d.append(ids[p]), g.get("logits").get(p), name + " decoder, position " + p);
            }
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
            DecoderModel fp32 = (DecoderModel) model.copy(null); // the dequantized weights, float32
            fp32.eval();
            KVCacheDecoder ref = fp32.decoder(64, null), quant = model.decoder(64, null);
            GgufTestFiles.assertSameGreedyIds(ref::append, quant::append, new int[] {1, 17, 33, 5, 90, 61}, 32);
            // a whole prompt at once (prefill, perplexity): the blocks a dequantized tile at a time, within the same bound
            int[] ids = new int[40];
            for (int i = 0; i < ids.length; i++) ids[i] = (7 * i + 3) % model.config.vocabSize();
            float[] a = fp32.forward(ids, 1, ids.length).data(), b = model.forward(ids, 1, ids.length).data();
            float max = 0;
            for (float x : a) max = Math.max(max, Math.abs(x));
            for (int i = 0; i < a.length; i++) assertThat(b[i]).as("forward logit %d", i).isCloseTo(a[i], Offset.offset(1e-4f * (1 + max)));
        }
    }

    /**
     * A model read from a quantized file holds the file's blocks, not float32 copies: every matrix is a read-only
     * quantized tensor over the mapped file, and the parameters take the bytes of the file's tensors (plus the copied
     * q/k rows of llama files), not 4 bytes per weight.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama3.2-1b", "qwen3-0.6b", "gemma3-270m"})
    void holdsTheFilesBlocksNotFloatCopies(String preset, @TempDir Path dir) throws IOException {
        Path file = dir.resolve("q4.gguf");
        GgufDecoder.write(tiny(preset, 5), GgmlType.Q4_0, "tiny", null, file);
        try (GgufFile f = GgufFile.open(file)) {
            DecoderModel model = GgufDecoder.read(f);
            long matrixBytes = 0, weights = 0;
            for (var e : model.namedParameters().entrySet()) {
                Tensor t = e.getValue();
                if (t.rank() != 2) continue;
                assertThat(t.isQuantized()).as(e.getKey()).isTrue();
                assertThat(t.quantizedValues().type()).as(e.getKey()).isEqualTo(GgmlType.Q4_0);
                assertThatThrownBy(t::data).as(e.getKey()).isInstanceOf(IllegalStateException.class);
                matrixBytes += t.byteSize();
                weights += t.size();
            }
            assertThat(matrixBytes).isEqualTo(weights / 32 * 18);
            long fileTensorBytes = 0;
            for (GgufFile.TensorInfo t : f.tensors().values()) fileTensorBytes += t.bytes();
            assertThat(model.parameterBytes()).isLessThanOrEqualTo(fileTensorBytes).isLessThan(weights); // < 1 byte per weight
            assertThat(model.streamedMatrices()).allMatch(Tensor::isQuantized);
        }
    }

    /**
     * LoRA over a quantized base: the frozen base stays in its blocks, and the adapters get the gradients they get over
     * the dequantized float32 weights (the forward and the input gradient read the blocks a tile at a time).
     */
    @Test
    void loraOverAQuantizedBaseTrainsAsOverItsFloat32Weights(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("q8.gguf");
        GgufDecoder.write(tiny("qwen3-0.6b", 9), GgmlType.Q8_0, "tiny", null, file);
        try (GgufFile f = GgufFile.open(file)) {
            DecoderModel quant = GgufDecoder.read(f);
            DecoderModel fp32 = (DecoderModel) quant.copy(null);
            int[] ids = {3, 14, 15, 92, 65, 35, 89, 79, 32, 38}, targets = {14, 15, 92, 65, 35, 89, 79, 32, 38, 46};
            float[][] grads = new float[2][];
            float[] losses = new float[2];
            DecoderModel[] bases = {fp32, quant};
            for (int k = 0; k < 2; k++) {
                CausalLM m = bases[k].frozenCopy(0f, CausalLM.Head.KEEP, null);
                m.addLoRA(4, 8f, false, new java.util.Random(1));
                for (Tensor p : m.trainableParameters().values()) { // B starts at zero: give it values so that dx flows
                    if (p.dim(0) == 4) for (int i = 0; i < p.size(); i++) p.data()[i] = 0.01f * ((i * 7919) % 13 - 6);
                }
                Tensor loss = m.loss(ids, targets, 1, ids.length);
                loss.backward();
                losses[k] = loss.item();
                java.util.List<Float> g = new java.util.ArrayList<>();
                for (Tensor p : m.trainableParameters().values()) for (float x : p.grad()) g.add(x);
                grads[k] = new float[g.size()];
                for (int i = 0; i < g.size(); i++) grads[k][i] = g.get(i);
                if (k == 1) {
                    assertThat(((DecoderModel) m).layers.getFirst().mlp.down.weight.isQuantized()).isTrue();
                }
            }
            assertThat(losses[1]).isCloseTo(losses[0], Offset.offset(1e-4f * Math.abs(losses[0])));
            float max = 0;
            for (float x : grads[0]) max = Math.max(max, Math.abs(x));
            assertThat(grads[1]).hasSameSizeAs(grads[0]);
            for (int i = 0; i < grads[0].length; i++) assertThat(grads[1][i]).as("gradient %d", i).isCloseTo(grads[0][i], Offset.offset(1e-3f * max));
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
