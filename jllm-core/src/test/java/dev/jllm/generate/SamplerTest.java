package dev.jllm.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {

    // probabilities at temperature 1: about 0.47, 0.28, 0.17, 0.06, 0.01 (tokens 2, 0, 4, 1, 3)
    static final float[] LOGITS = {2.5f, 1f, 3f, -0.5f, 2f};

    static Set<Integer> drawn(Sampler s, int n) {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < n; i++) seen.add(s.next(LOGITS));
        return seen;
    }

    @Test
    void greedyTakesTheLargestLogit() {
        assertThat(new Sampler(0f, 0, 1f, new SplittableRandom(1)).next(LOGITS)).isEqualTo(2);
    }

    @Test
    void topKSamplesOnlyAmongTheKLargest() {
        assertThat(drawn(new Sampler(1f, 2, 1f, new SplittableRandom(1)), 2000)).containsExactlyInAnyOrder(2, 0);
        assertThat(drawn(new Sampler(5f, 0, 1f, new SplittableRandom(1)), 2000)).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
    }

    @Test
    void topPKeepsTheSmallestNucleusReachingP() {
        // 0.47 + 0.28 = 0.75 < 0.8, so the nucleus for p = 0.8 needs the third token as well
        assertThat(drawn(new Sampler(1f, 0, 0.8f, new SplittableRandom(2)), 2000)).containsExactlyInAnyOrder(2, 0, 4);
        assertThat(drawn(new Sampler(1f, 0, 0.4f, new SplittableRandom(2)), 500)).containsExactly(2);
    }

    @Test
    void frequenciesFollowTheSoftmax() {
        Sampler s = new Sampler(1f, 0, 1f, new SplittableRandom(3));
        int n = 20000, count2 = 0;
        for (int i = 0; i < n; i++) if (s.next(LOGITS) == 2) count2++;
        double p2 = Math.exp(3) / (Math.exp(2.5) + Math.exp(1) + Math.exp(3) + Math.exp(-0.5) + Math.exp(2));
        assertThat(count2 / (double) n).isCloseTo(p2, org.assertj.core.data.Offset.offset(0.02));
    }
}
