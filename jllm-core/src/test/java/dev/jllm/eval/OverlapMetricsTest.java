package dev.jllm.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jllm.prompt.ResponseExample;
import java.util.List;
import org.junit.jupiter.api.Test;

class OverlapMetricsTest {

    @Test
    void longestCommonSubsequenceOfWords() {
        assertThat(OverlapMetrics.longestCommonSubsequence(List.of("a", "b", "c", "d"), List.of("b", "x", "d"))).isEqualTo(2);
        assertThat(OverlapMetrics.longestCommonSubsequence(List.of("a", "b"), List.of("b", "a"))).isEqualTo(1);
        assertThat(OverlapMetrics.longestCommonSubsequence(
                OverlapMetrics.words("the cat sat on the mat"), OverlapMetrics.words("the cat on the mat sat"))).isEqualTo(5);
    }

    @Test
    void rougeLIsTheLcsFMeasure() {
        // LCS("the cat was found under the bed", "the cat was under the bed") = 6: P = 6/7, R = 6/6.
        double p = 6.0 / 7;
        double r = 1;
        assertThat(OverlapMetrics.rougeL("the cat was found under the bed", "The cat was under the bed"))
                .isCloseTo(2 * p * r / (p + r), within(1e-12));
        assertThat(OverlapMetrics.rougeL("a b", "c d")).isZero();
        assertThat(OverlapMetrics.rougeL("", "")).isEqualTo(1);
        assertThat(OverlapMetrics.rougeL("x", " ")).isZero();
    }

    @Test
    void exactMatchComparesLowercasedWords() {
        assertThat(OverlapMetrics.exactMatch(" The  answer is 4. ", "the answer\nis 4.")).isTrue();
        assertThat(OverlapMetrics.exactMatch("The answer is 4", "The answer is 4.")).isFalse();
    }

    @Test
    void summaryAveragesOverEntries() {
        OverlapMetrics.Summary s = OverlapMetrics.of(List.of(
                new ResponseExample("i", "", "yes", "Yes"), new ResponseExample("i", "", "a b", "a c")));
        assertThat(s.entries()).isEqualTo(2);
        assertThat(s.exactMatch()).isEqualTo(0.5);
        assertThat(s.rougeL()).isCloseTo((1 + 0.5) / 2, within(1e-12));
    }
}
