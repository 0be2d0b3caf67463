package dev.jllm.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every architecture's config answers jllm info's questions alike, and its parameter count is its model's. */
class ModelConfigStatsTest {

    private static List<CausalLM> smallModelsOfEveryArchitecture() {
        List<CausalLM> models = new ArrayList<>();
        models.add(new GptModel(new GptConfig(101, 20, 24, 3, 2, 0f, true, true), new SplittableRandom(0)));
        for (String preset : DecoderConfig.PRESETS) {
            DecoderConfig c = DecoderConfig.preset(preset).withSizes(32, 64, 2, 4, 2, 8).withVocabSize(97)
                    .withMaxPositions(40);
            models.add(new DecoderModel(c));
        }
        return models;
    }

    @Test
    void theConfigsCountIsTheModelsForEveryArchitecture() {
        for (CausalLM m : smallModelsOfEveryArchitecture()) {
            ModelConfig c = m.config();
            assertThat(c.parameterCount()).as(c.architecture()).isEqualTo(m.parameterCount());
        }
    }

    @Test
    void computeAndMemoryGrowWithTheSequenceAndTheBatch() {
        for (CausalLM m : smallModelsOfEveryArchitecture()) {
            ModelConfig c = m.config();
            assertThat(c.trainingFlopsPerToken(16)).as(c.architecture()).isEqualTo(3 * c.forwardFlopsPerToken(16));
            assertThat(c.forwardFlopsPerToken(16)).as(c.architecture()).isGreaterThan(c.forwardFlopsPerToken(8));
            ModelStats.Memory one = c.trainingMemory(1, 16), two = c.trainingMemory(2, 16);
            assertThat(one.parameters()).isEqualTo(4 * c.parameterCount());
            assertThat(two.activations()).as(c.architecture()).isEqualTo(2 * one.activations());
            // Keys and values of every layer, fp32, at most one per position (sliding layers keep their window).
            assertThat(c.kvCacheBytes(8)).as(c.architecture())
                    .isPositive()
                    .isLessThanOrEqualTo(2L * c.nLayers() * c.nKvHeads() * c.headDim() * 8 * Float.BYTES);
        }
    }
}
