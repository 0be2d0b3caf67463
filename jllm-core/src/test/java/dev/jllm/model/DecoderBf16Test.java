package dev.jllm.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.arch.LoadedModel;
import dev.jllm.io.DecoderFiles;
import dev.jllm.io.Dtype;
import dev.jllm.nn.LoRA;
import dev.jllm.optim.AdamW;
import dev.jllm.tensor.NoGrad;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * bf16 checkpoints stay bf16: a loaded model's matrices are read-only bfloat16 tensors in the mapped file (half the
 * bytes of float32, nothing copied), its loss and greedy ids are transformers' on the same bf16 weights, and LoRA
 * trains over them as a frozen base with the gradients LoRA gets over the float32-upcast base.
 */
class DecoderBf16Test {

    static final Path DIR = GroupedDecoderTest.DIR;

    static int[] flat(JsonNode rows) {
        int[] out = new int[rows.size() * rows.get(0).size()];
        int i = 0;
        for (JsonNode row : rows) for (JsonNode v : row) out[i++] = v.asInt();
        return out;
    }

    @Test
    void aBf16CheckpointLoadsMappedAndHasTransformersLossAndGreedyIds() throws IOException {
        Path dir = DIR.resolve("qwen3").resolve("model-bf16");
        DecoderModel m = (DecoderModel) LoadedModel.load(dir).model();
        long matrices = 0, vectors = 0;
        for (var e : m.namedParameters().entrySet()) {
            Tensor t = e.getValue();
            if (t.rank() == 2) {
                assertThat(t.isBf16()).as(e.getKey()).isTrue();
                assertThat(t.bf16Values().isMapped()).as(e.getKey()).isTrue();
                matrices += t.size();
            } else {
                vectors += t.size();
            }
        }
        assertThat(m.parameterBytes()).isEqualTo(2 * matrices + 4 * vectors);

        JsonNode g = new ObjectMapper().readTree(DIR.resolve("qwen3").resolve("golden.json").toFile());
        JsonNode bf = new ObjectMapper().readTree(DIR.resolve("qwen3").resolve("golden-bf16.json").toFile());
        int b = g.get("inputs").size(), t = g.get("inputs").get(0).size();
        double loss;
        try (var ignored = NoGrad.enter()) {
            loss = m.loss(flat(g.get("inputs")), flat(g.get("targets")), b, t).item();
        }
        assertThat(loss).isCloseTo(bf.get("loss").asDouble(), org.assertj.core.data.Offset.offset(1e-4 * loss));
        var want = GroupedDecoderTest.ints(bf.get("greedy"));
        assertThat(GroupedDecoderTest.greedy(DecoderWeights.of(m, m.bf16Weights()), GroupedDecoderTest.ints(g.get("prompt")),
                want.size())).containsExactlyElementsOf(want);
    }

    /** The family's golden model saved as BF16 into {@code tmp}. */
    static Path bf16Folder(String family, Path tmp) throws IOException {
        Path dir = tmp.resolve(family);
        DecoderFiles.save(dir, DecoderFiles.load(DIR.resolve(family).resolve("model")), Dtype.BF16);
        return dir;
    }

    /** A frozen copy with LoRA adapters on every Linear and the head, B drawn too (so every adapter gets gradients). */
    static DecoderModel withLoRA(DecoderModel base) {
        DecoderModel m = base.frozenCopy(0f, CausalLM.Head.UNTIED, new SplittableRandom(1));
        m.addLoRA(4, 8f, true, new SplittableRandom(2));
        SplittableRandom r = new SplittableRandom(3);
        m.namedParameters().forEach((name, p) -> {
            if (name.endsWith(".B")) for (int i = 0; i < p.size(); i++) p.data()[i] = (float) (0.05 * r.nextGaussian());
        });
        return m;
    }

    static int[][] batch(int vocab, int n) {
        int[] x = new int[n], y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = (i * 13 + 5) % vocab;
            y[i] = (i * 7 + 3) % vocab;
        }
        return new int[][] {x, y};
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen3", "gemma3"})
    void loraOverAFrozenBf16BaseHasTheGradientsOfLoraOverItsFloat32Upcast(String family, @TempDir Path tmp)
            throws IOException {
        Path dir = bf16Folder(family, tmp);
        DecoderModel base = DecoderFiles.load(dir, true);
        DecoderModel bf16 = withLoRA(base);
        DecoderModel upcast = withLoRA(DecoderFiles.load(dir, false));
        // the frozen copy shares the mapped base: nothing copied, nothing trainable but the adapters
        assertThat(bf16.namedParameters().get("model.layers.0.mlp.up_proj.weight").bf16Values().address())
                .isEqualTo(base.namedParameters().get("model.layers.0.mlp.up_proj.weight").bf16Values().address());
        assertThat(bf16.trainableParameters().keySet()).allMatch(LoRA::isAdapter)
                .hasSize(upcast.trainableParameters().size());
        assertThat(upcast.namedParameters().get("lm_head.weight").isBf16()).isFalse();

        int t = 24;
        int[][] xy = batch(bf16.config.vocabSize(), 2 * t);
        Tensor lossBf16 = bf16.loss(xy[0], xy[1], 2, t), lossUp = upcast.loss(xy[0], xy[1], 2, t);
        lossBf16.backward();
        lossUp.backward();
        assertThat((double) lossBf16.item()).isCloseTo(lossUp.item(), org.assertj.core.data.Offset.offset(1e-5 * lossUp.item()));
        Map<String, Tensor> want = upcast.trainableParameters();
        bf16.trainableParameters().forEach((name, p) -> {
            float[] a = p.grad(), b = want.get(name).grad();
            double diff = 0, scale = 1e-12;
            for (int i = 0; i < a.length; i++) {
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
                scale = Math.max(scale, Math.abs(b[i]));
            }
            assertThat(diff / scale).as(name).isLessThan(1e-4);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gemma3"})
    void loraOverABf16BaseLearnsAndMergesIntoAFloat32ModelThatComputesTheSame(String family, @TempDir Path tmp)
            throws IOException {
        DecoderModel m = withLoRA(DecoderFiles.load(bf16Folder(family, tmp), true));
        int t = 24;
        int[][] xy = batch(m.config.vocabSize(), 2 * t);
        AdamW opt = new AdamW(m.trainableParameters(), AdamW.Options.withWeightDecay(0));
        float first = 0, last = 0;
        for (int step = 0; step < 8; step++) {
            opt.zeroGrad();
            Tensor loss = m.loss(xy[0], xy[1], 2, t);
            loss.backward();
            opt.step(1e-2);
            if (step == 0) first = loss.item();
            last = loss.item();
        }
        assertThat(last).isLessThan(first);
        DecoderModel merged = m.merged();
        assertThat(merged.namedParameters().get("model.layers.0.self_attn.q_proj.weight").isBf16()).isFalse();
        assertThat(merged.namedParameters().get("model.embed_tokens.weight").isBf16()).isTrue(); // not adapted: shared
        try (var ignored = NoGrad.enter()) {
            float[] a = m.forward(xy[0], 2, t).data(), b = merged.forward(xy[0], 2, t).data();
            for (int i = 0; i < a.length; i++) assertThat(b[i]).isCloseTo(a[i], org.assertj.core.data.Offset.offset(2e-3f));
        }
    }

    @Test
    void aModelWithBf16WeightsIsSavedAsItIsHeld(@TempDir Path tmp) throws IOException {
        DecoderModel m = withLoRA(DecoderFiles.load(bf16Folder("qwen3", tmp), true)).merged();
        Path out = tmp.resolve("saved");
        DecoderFiles.saveAsHeld(out, m);
        try (var f = dev.jllm.io.SafetensorsFile.open(out.resolve("model.safetensors"))) {
            assertThat(f.entries().get("model.embed_tokens.weight").dtype()).isEqualTo(Dtype.BF16);
            assertThat(f.entries().get("lm_head.weight").dtype()).isEqualTo(Dtype.F32); // merged with its adapter
        }
        DecoderModel back = DecoderFiles.load(out, true);
        int[][] xy = batch(m.config.vocabSize(), 20);
        try (var ignored = NoGrad.enter()) {
            assertThat(back.forward(xy[0], 1, 20).data()).containsExactly(m.forward(xy[0], 1, 20).data());
        }
    }
}
