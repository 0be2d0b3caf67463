package dev.jllm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class PerplexityTest {

    static final GptModel MODEL = TestModels.random(TestModels.tiny(), 21, 0.3); // context 16
    static final int[] IDS = new SplittableRandom(5).ints(50, 0, 97).toArray();

    /** −log p(ids[j] | ids[begin … j)), straight from one forward pass. */
    static double nll(int begin, int j) {
        int[] window = Arrays.copyOfRange(IDS, begin, j);
        float[] logits = MODEL.forward(window, 1, window.length).data();
        int v = MODEL.config.vocabSize(), row = (window.length - 1) * v;
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int i = 0; i < v; i++) max = Math.max(max, logits[row + i]);
        for (int i = 0; i < v; i++) sum += Math.exp(logits[row + i] - max);
        return max + Math.log(sum) - logits[row + IDS[j]];
    }

    @Test
    void everyTokenIsScoredOnceWithTheHistoryOfItsFirstWindow() {
        MODEL.eval();
        for (int[] cs : new int[][] {{16, 16}, {8, 4}, {8, 8}, {5, 1}, {16, 3}}) {
            int context = cs[0], stride = cs[1];
            double sum = 0;
            for (int j = 1; j < IDS.length; j++) {
                int begin = Math.max(0, Math.ceilDiv(j - context, stride) * stride); // first window that reaches j
                sum += nll(begin, j);
            }
            Perplexity.Result r = Perplexity.of(MODEL, IDS, context, stride);
            assertThat(r.tokens()).isEqualTo(IDS.length - 1);
            assertThat(r.loss()).as("context %d stride %d", context, stride)
                    .isCloseTo(sum / (IDS.length - 1), Offset.offset(1e-4));
            assertThat(r.perplexity()).isCloseTo(Math.exp(r.loss()), Offset.offset(1e-9));
        }
    }

    @Test
    void aShortSequenceIsTheModelsLoss() {
        int[] ids = Arrays.copyOf(IDS, 10);
        MODEL.eval();
        float loss = MODEL.loss(Arrays.copyOf(ids, 9), Arrays.copyOfRange(ids, 1, 10), 1, 9).item();
        assertThat(Perplexity.of(MODEL, ids, 16, 16).loss()).isCloseTo(loss, Offset.offset(1e-5));
    }

    @Test
    void badArgumentsAreClearErrors() {
        assertThatThrownBy(() -> Perplexity.of(MODEL, new int[] {1}, 16, 16)).hasMessageContaining("at least 2 tokens");
        assertThatThrownBy(() -> Perplexity.of(MODEL, IDS, 17, 16)).hasMessageContaining("context must be in 1..16");
        assertThatThrownBy(() -> Perplexity.of(MODEL, IDS, 8, 9)).hasMessageContaining("stride");
        assertThatThrownBy(() -> Perplexity.of(MODEL, new int[] {1, 200}, 16, 16)).hasMessageContaining("token id 200");
    }
}
