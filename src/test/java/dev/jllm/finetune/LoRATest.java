package dev.jllm.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.model.GptConfig;
import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LoRATest {

    /** Golden values from tools/reference/lora_init.py (PyTorch's kaiming_uniform_ on torch.empty(in, rank)). */
    @Test
    void initBoundOfAMatchesPyTorchWhoseFanInIsTheRank() throws IOException {
        JsonNode cases;
        try (InputStream in = getClass().getResourceAsStream("lora_init.json")) {
            cases = new ObjectMapper().readTree(in).get("cases");
        }
        assertThat(cases.size()).isEqualTo(5);
        for (JsonNode c : cases) {
            int rank = c.get("rank").asInt();
            assertThat(c.get("fan_in").asInt()).isEqualTo(rank);
            double bound = LoRA.initBoundA(rank);
            assertThat(bound).as("rank %d", rank).isCloseTo(c.get("bound").asDouble(), within(1e-15));
            assertThat(bound).isCloseTo(1 / Math.sqrt(rank), within(1e-15));
            // PyTorch's draw fills the interval up to the bound, and not beyond.
            assertThat(c.get("sample_max").asDouble()).isLessThanOrEqualTo(bound).isGreaterThan(0.99 * bound);
            assertThat(c.get("sample_min").asDouble()).isGreaterThanOrEqualTo(-bound).isLessThan(-0.99 * bound);
        }
    }

    @Test
    void initAFillsTheUniformIntervalAndBIsZero() {
        float[] a = LoRA.initA(768, 16, new SplittableRandom(1));
        assertThat(a).hasSize(768 * 16);
        double max = 0;
        double sum = 0;
        for (float v : a) {
            max = Math.max(max, Math.abs(v));
            sum += v;
        }
        assertThat(max).isLessThanOrEqualTo(0.25).isGreaterThan(0.249);
        assertThat(sum / a.length).isCloseTo(0, within(0.01));
        assertThat(LoRA.initB(16, 2)).hasSize(32).containsOnly(0f);
        assertThat(LoRA.scale(16, 16)).isEqualTo(1f);
        assertThat(LoRA.scale(8, 16)).isEqualTo(0.5f);
    }

    @Test
    void theBooksTrainableParameterCountFor124MSpamClassifier() {
        GptConfig small = GptConfig.preset("gpt2-small");
        var layers = LoRA.bookGptLinears(small, 2);
        assertThat(layers).hasSize(12 * 6 + 1);
        assertThat(LoRA.trainableParameters(layers, 16)).isEqualTo(2_666_528L);
        // By hand for one layer: rank * (in + out).
        assertThat(LoRA.trainableParameters(java.util.List.of(new LoRA.LinearShape(768, 2)), 16)).isEqualTo(16 * 770);
    }
}
