package dev.jllm.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.model.GptModel;
import dev.jllm.model.TestModels;
import dev.jllm.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModuleTest {

    @Test
    void parametersAreNamedLikeTheBookInAStableOrder() {
        GptModel model = TestModels.random(TestModels.tiny().withTiedHead(false), 1, 0.1);
        List<String> names = List.copyOf(model.namedParameters().keySet());
        assertThat(names.subList(0, 8)).containsExactly("tok_emb.weight", "pos_emb.weight",
                "trf_blocks.0.norm1.scale", "trf_blocks.0.norm1.shift", "trf_blocks.0.att.qkv.weight",
                "trf_blocks.0.att.qkv.bias", "trf_blocks.0.att.out_proj.weight", "trf_blocks.0.att.out_proj.bias");
        assertThat(names.getLast()).isEqualTo("out_head.weight");
        assertThat(names).contains("trf_blocks.1.ff.fc1.weight", "trf_blocks.1.ff.fc2.bias", "final_norm.shift");
        assertThat(model.namedParameters().keySet()).containsExactlyElementsOf(names); // same order every time
    }

    @Test
    void frozenParametersGetNoGradient() {
        GptModel model = TestModels.random(TestModels.tiny().withDropRate(0f), 2, 0.1);
        model.freeze("trf_blocks.0");
        model.freeze("tok_emb.weight");
        int[] ids = {1, 2, 3, 4, 5, 6}, targets = {2, 3, 4, 5, 6, 7};
        model.loss(ids, targets, 1, 6).backward();
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            boolean frozen = e.getKey().startsWith("trf_blocks.0.") || e.getKey().equals("tok_emb.weight");
            assertThat(e.getValue().requiresGrad()).as(e.getKey()).isEqualTo(!frozen);
            if (frozen) assertThat(e.getValue().grad()).as(e.getKey()).isNull();
            else assertThat(e.getValue().grad()).as(e.getKey()).isNotNull();
        }
        assertThat(model.trainableParameterCount())
                .isEqualTo(model.parameterCount() - model.blocks.get(0).parameterCount() - 97 * 32);
        model.unfreeze();
        assertThat(model.trainableParameterCount()).isEqualTo(model.parameterCount());
        model.finalNorm.freeze(); // by module
        assertThat(model.trainableParameters()).doesNotContainKeys("final_norm.scale", "final_norm.shift")
                .hasSize(model.namedParameters().size() - 2);
        assertThatThrownBy(() -> model.freeze("trf_blocks.7")).hasMessageContaining("trf_blocks.7");
    }

    @Test
    void evalModeTurnsDropoutOffEverywhere() {
        GptModel model = TestModels.random(TestModels.tiny().withDropRate(0.5f), 3, 0.1);
        int[] ids = {5, 6, 7, 8};
        model.eval();
        assertThat(model.blocks.get(1).dropShortcut.isTraining()).isFalse();
        float[] a = model.forward(ids, 1, 4).data(), b = model.forward(ids, 1, 4).data();
        // equal up to float rounding: a vector loop compiled by the JIT between the two calls may sum in another order
        assertThat(a).containsExactly(b, org.assertj.core.data.Offset.offset(1e-5f));
        model.train();
        assertThat(model.blocks.get(1).att.isTraining()).isTrue();
        assertThat(model.forward(ids, 1, 4).data()).isNotEqualTo(a);
    }
}
