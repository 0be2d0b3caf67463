package dev.jllm.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.io.DecoderFiles;
import dev.jllm.io.SafetensorsShards;
import dev.jllm.tensor.NoGrad;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The KV-cache decoder of Llama, Qwen3 and Gemma 3 against transformers' greedy ids (past Llama's original
 * context and Gemma's window, so the rope scaling and the ring of the local layers matter), against the model's
 * own forward pass for prompts fed in pieces, and with bf16 weights mapped from a bf16 checkpoint.
 */
class GroupedDecoderTest {

    static final Path DIR = Path.of("src/test/resources/dev/jllm/model/modern");

    static List<Integer> ints(JsonNode a) {
        List<Integer> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asInt()));
        return out;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) if (v[j] > v[best]) best = j;
        return best;
    }

    /** Greedy ids after the prompt, fed as one prefill, then one token per step. */
    static List<Integer> greedy(DecoderWeights w, List<Integer> prompt, int count) {
        var dec = new GroupedDecoder(w, prompt.size() + count);
        float[] logits = dec.append(prompt.stream().mapToInt(Integer::intValue).toArray());
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(argmax(logits));
            if (i + 1 < count) logits = dec.append(out.getLast());
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen3", "gemma3"})
    void greedyWithTheCacheMatchesTransformers(String family) throws IOException {
        JsonNode g = new ObjectMapper().readTree(DIR.resolve(family).resolve("golden.json").toFile());
        DecoderModel model = DecoderFiles.load(DIR.resolve(family).resolve("model"));
        List<Integer> want = ints(g.get("greedy"));
        assertThat(greedy(DecoderWeights.of(model, null), ints(g.get("prompt")), want.size()))
                .containsExactlyElementsOf(want);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen3", "gemma3"})
    void promptsFedInPiecesGiveTheForwardPassLogits(String family) throws IOException {
        DecoderModel model = DecoderFiles.load(DIR.resolve(family).resolve("model"));
        int[] ids = new int[60];
        for (int i = 0; i < ids.length; i++) ids[i] = (i * 37 + 11) % model.config.vocabSize();
        float[] full;
        try (var ignored = NoGrad.enter()) {
            full = model.forward(ids, 1, ids.length).data();
        }
        int v = model.config.vocabSize();
        var dec = new GroupedDecoder(DecoderWeights.of(model, null), ids.length);
        int at = 0;
        for (int piece : new int[] {7, 1, 12, 1, 1, 20, 3, 15}) { // pieces that wrap Gemma's window of 16
            int[] part = java.util.Arrays.copyOfRange(ids, at, at + piece);
            float[] logits = dec.append(part);
            at += piece;
            float[] want = java.util.Arrays.copyOfRange(full, (at - 1) * v, at * v);
            double err = 0, scale = 0;
            for (int j = 0; j < v; j++) {
                err = Math.max(err, Math.abs(logits[j] - want[j]));
                scale = Math.max(scale, Math.abs(want[j]));
            }
            assertThat(err / scale).as("logits after %d tokens", at).isLessThan(1e-4);
        }
    }

    @Test
    void bf16CheckpointDecodesInPlaceWithinBf16Rounding() throws IOException {
        Path dir = DIR.resolve("qwen3").resolve("model-bf16");
        JsonNode g = new ObjectMapper().readTree(DIR.resolve("qwen3").resolve("golden-bf16.json").toFile());
        JsonNode prompt = new ObjectMapper().readTree(DIR.resolve("qwen3").resolve("golden.json").toFile()).get("prompt");
        List<Integer> want = ints(g.get("greedy"));
        try (DecoderWeights w = DecoderWeights.mapped(DecoderFiles.config(dir), SafetensorsShards.open(dir))) {
            assertThat(greedy(w, ints(prompt), want.size())).containsExactlyElementsOf(want);
        }
    }

    @Test
    void slidingLayersKeepOnlyTheirWindow() throws IOException {
        DecoderModel model = DecoderFiles.load(DIR.resolve("gemma3").resolve("model"));
        var c = model.config;
        var dec = new GroupedDecoder(DecoderWeights.of(model, null), 200);
        long kv = 2L * c.nKvHeads() * c.headDim();
        long global = c.slidingLayers().stream().filter(s -> !s).count();
        assertThat(dec.cacheFloats()).isEqualTo(kv * (global * 200 + (c.nLayers() - global) * c.slidingWindow()));
    }
}
