package dev.jllm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class GptModelTest {

    @Test
    void stateDictRoundTripsThroughTheHuggingFaceLayout() {
        for (GptConfig c : new GptConfig[] {TestModels.tiny(), TestModels.tiny().withTiedHead(false).withQkvBias(false)}) {
            GptModel model = TestModels.random(c, 4, 0.3);
            Map<String, Tensor> sd = model.stateDict();
            int e = c.embDim();
            assertThat(sd.get("h.0.attn.c_attn.weight").shape()).containsExactly(e, 3 * e); // Conv1D [in, out]
            assertThat(sd.get("h.1.mlp.c_proj.weight").shape()).containsExactly(4 * e, e);
            assertThat(sd.containsKey("lm_head.weight")).isEqualTo(!c.tiedHead());
            // q of output column 5 reads input row 2: c_attn[2, 5] = qkv.weight[5, 2]
            assertThat(sd.get("h.0.attn.c_attn.weight").data()[2 * 3 * e + 5])
                    .isEqualTo(model.blocks.get(0).att.qkv.weight.data()[5 * e + 2]);
            GptModel back = GptModel.fromStateDict(c, sd);
            model.namedParameters().forEach((name, p) ->
                    assertThat(back.namedParameters().get(name).data()).as(name).containsExactly(p.data()));
        }
    }

    @Test
    void badStateDictsAreNamed() {
        GptConfig c = TestModels.tiny();
        Map<String, Tensor> sd = new LinkedHashMap<>(TestModels.random(c, 5, 0.1).stateDict());
        Map<String, Tensor> missing = new LinkedHashMap<>(sd);
        missing.remove("h.1.ln_2.bias");
        assertThatThrownBy(() -> GptModel.fromStateDict(c, missing)).hasMessageContaining("missing tensor 'h.1.ln_2.bias'");
        Map<String, Tensor> wrong = new LinkedHashMap<>(sd);
        wrong.put("wpe.weight", Tensor.zeros(8, c.embDim()));
        assertThatThrownBy(() -> GptModel.fromStateDict(c, wrong))
                .hasMessageContaining("'wpe.weight'").hasMessageContaining("[8, 32]").hasMessageContaining("[16, 32]");
        Map<String, Tensor> extra = new LinkedHashMap<>(sd);
        extra.put("h.2.ln_1.weight", Tensor.zeros(c.embDim()));
        assertThatThrownBy(() -> GptModel.fromStateDict(c, extra)).hasMessageContaining("unexpected tensor 'h.2.ln_1.weight'");
    }

    @Test
    void gpt2InitialisationHasTheRightScales() {
        GptConfig c = new GptConfig(500, 64, 64, 4, 8, 0.1f, true, false);
        GptModel model = GptModel.create(c, 42);
        assertThat(std(model.tokEmb.weight)).isCloseTo(0.02, org.assertj.core.data.Offset.offset(0.001));
        assertThat(std(model.blocks.get(3).ff.fc1.weight)).isCloseTo(0.02, org.assertj.core.data.Offset.offset(0.001));
        double residual = 0.02 / Math.sqrt(2 * 8);
        assertThat(std(model.blocks.get(3).att.outProj.weight)).isCloseTo(residual, org.assertj.core.data.Offset.offset(0.0005));
        assertThat(std(model.blocks.get(3).ff.fc2.weight)).isCloseTo(residual, org.assertj.core.data.Offset.offset(0.0005));
        assertThat(model.blocks.get(0).att.qkv.bias.data()).containsOnly(0f);
        assertThat(model.finalNorm.scale.data()).containsOnly(1f);
        assertThat(model.finalNorm.shift.data()).containsOnly(0f);
        assertThat(GptModel.create(c, 42).outHead.weight.data()).containsExactly(model.outHead.weight.data());
        assertThat(GptModel.create(c, 43).outHead.weight.data()).isNotEqualTo(model.outHead.weight.data());
    }

    @Test
    void pytorchInitialisationIsTheBooksGptModel() {
        // untied head and q/k/v bias, so that every kind of parameter is drawn
        GptConfig c = new GptConfig(500, 64, 64, 4, 2, 0.1f, true, false);
        GptModel model = GptModel.create(c, 42, InitScheme.PYTORCH);
        Offset<Double> tolerance = Offset.offset(0.05);
        assertThat(std(model.tokEmb.weight)).isCloseTo(1.0, tolerance); // nn.Embedding: N(0, 1)
        assertThat(std(model.posEmb.weight)).isCloseTo(1.0, tolerance);
        // nn.Linear weight [out, in]: uniform in ±1/√in, so std 1/√(3·in); the fused q/k/v [3·emb, emb] has in = emb,
        // as the book's three separate Linears
        var b = model.blocks.get(1);
        for (Tensor w : new Tensor[] {b.att.qkv.weight, b.att.outProj.weight, b.ff.fc1.weight, b.ff.fc2.weight,
                model.outHead.weight}) {
            double bound = 1 / Math.sqrt(w.shape()[1]);
            assertThat(maxAbs(w)).isLessThanOrEqualTo(bound).isGreaterThan(0.95 * bound);
            assertThat(std(w) / (bound / Math.sqrt(3))).isCloseTo(1.0, tolerance);
        }
        // biases take their weight's bound: ±1/8 for fc1 (in 64), ±1/16 for fc2 (in 256)
        assertThat(maxAbs(b.ff.fc1.bias)).isLessThanOrEqualTo(1 / 8.0).isGreaterThan(1 / 16.0);
        assertThat(maxAbs(b.ff.fc2.bias)).isLessThanOrEqualTo(1 / 16.0).isGreaterThan(1 / 32.0);
        assertThat(maxAbs(b.att.qkv.bias)).isLessThanOrEqualTo(1 / 8.0).isGreaterThan(1 / 16.0);
        assertThat(b.norm1.scale.data()).containsOnly(1f);
        assertThat(b.norm2.shift.data()).containsOnly(0f);
        assertThat(model.finalNorm.scale.data()).containsOnly(1f);
        assertThat(model.finalNorm.shift.data()).containsOnly(0f);
        assertThat(GptModel.create(c, 42, InitScheme.PYTORCH).outHead.weight.data())
                .containsExactly(model.outHead.weight.data());
        assertThat(GptModel.create(c, 42).outHead.weight.data())
                .containsExactly(GptModel.create(c, 42, InitScheme.GPT2).outHead.weight.data());
    }

    @Test
    void initSchemesAreNamedAsOnTheCommandLine() {
        assertThat(InitScheme.of("pytorch")).isEqualTo(InitScheme.PYTORCH);
        assertThat(InitScheme.GPT2.id()).isEqualTo("gpt2");
        assertThatThrownBy(() -> InitScheme.of("xavier")).hasMessageContaining("\"xavier\"")
                .hasMessageContaining("gpt2, pytorch");
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (float v : t.data()) m = Math.max(m, Math.abs(v));
        return m;
    }

    private static double std(Tensor t) {
        double s = 0, s2 = 0;
        for (float v : t.data()) {
            s += v;
            s2 += v * v;
        }
        int n = t.size();
        return Math.sqrt(s2 / n - (s / n) * (s / n));
    }

    @Test
    void idsOutsideTheVocabularyOrTooLongSequencesAreClearErrors() {
        GptModel model = TestModels.random(TestModels.tiny(), 6, 0.1);
        assertThatThrownBy(() -> model.forward(new int[] {1, 97}, 1, 2))
                .hasMessage("token id 97 is outside the vocabulary (size 97)");
        assertThatThrownBy(() -> model.forward(new int[17], 1, 17)).hasMessageContaining("context length 16");
    }
}
