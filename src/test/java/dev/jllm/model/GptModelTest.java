package dev.jllm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
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
