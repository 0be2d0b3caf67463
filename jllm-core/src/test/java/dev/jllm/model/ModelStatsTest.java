package dev.jllm.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ModelStatsTest {

    private static final GptConfig BOOK_124M = GptConfig.preset("gpt2-small").withQkvBias(false);

    @Test
    void parameterCountsMatchTheBook() {
        GptModel untied = new GptModel(BOOK_124M.withTiedHead(false), new java.util.SplittableRandom(0));
        assertThat(untied.parameterCount()).isEqualTo(163_009_536L);
        // The book's tied count: the output head's weights counted once, as part of the token embedding.
        assertThat(untied.parameterCount() - untied.outHead.weight.size()).isEqualTo(124_412_160L);
        assertThat(ModelStats.parameterCount(BOOK_124M.withTiedHead(false))).isEqualTo(163_009_536L);
        assertThat(ModelStats.parameterCount(BOOK_124M.withTiedHead(true))).isEqualTo(124_412_160L);
    }

    @Test
    void analyticCountEqualsTheModelsForEveryVariant() {
        for (boolean bias : new boolean[] {false, true}) {
            for (boolean tied : new boolean[] {false, true}) {
                GptConfig c = new GptConfig(101, 20, 24, 3, 3, 0f, bias, tied);
                GptModel model = new GptModel(c, new java.util.SplittableRandom(0));
                assertThat(ModelStats.parameterCount(c)).as("bias %s tied %s", bias, tied)
                        .isEqualTo(model.parameterCount());
            }
        }
    }

    @Test
    void flopsFollowTheSixNPlusAttentionRule() {
        GptConfig c = GptConfig.preset("gpt2-small");
        long n = 12L * 12 * 768 * 768 + 50257L * 768;
        assertThat(ModelStats.forwardFlopsPerToken(c, 1024)).isEqualTo(2.0 * n + 4.0 * 12 * 768 * 1024);
        assertThat(ModelStats.trainingFlopsPerToken(c, 1024)).isEqualTo(6.0 * n + 12.0 * 12 * 768 * 1024);
    }

    @Test
    void memoryCountsWeightsGradientsAndTwoAdamMoments() {
        GptConfig c = GptConfig.preset("gpt2-small");
        ModelStats.Memory m = ModelStats.memory(c, 2, 256);
        long params = ModelStats.parameterCount(c) * 4;
        assertThat(m.parameters()).isEqualTo(params);
        assertThat(m.gradients()).isEqualTo(params);
        assertThat(m.optimizer()).isEqualTo(2 * params);
        assertThat(ModelStats.memory(c, 4, 256).activations()).isEqualTo(2 * m.activations());
        assertThat(m.total()).isEqualTo(4 * params + m.activations());
    }
}
