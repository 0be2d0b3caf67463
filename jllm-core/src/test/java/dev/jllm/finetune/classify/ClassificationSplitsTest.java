package dev.jllm.finetune.classify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.testing.SharedData;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ClassificationSplitsTest {

    /** One id per character: long enough messages to exercise the context cap. */
    private static final Function<String, int[]> CHARS = s -> s.chars().toArray();

    @Test
    void theBooksSpamPipeline() {
        ClassificationData data = ClassificationData.readSmsSpam(SharedData.file("sms_spam_collection.tsv"));
        ClassificationSplits s = ClassificationSplits.prepare(data, true, 123, CHARS, null, 1024, 50256);
        assertThat(s.labels()).containsExactly("ham", "spam");
        assertThat(List.of(s.train().size(), s.validation().size(), s.test().size())).containsExactly(1045, 149, 300);
        int longest = 0;
        for (int i = 0; i < s.train().size(); i++) {
            int n = 0;
            for (int id : s.train().ids(i)) if (id != 50256) n++;
            longest = Math.max(longest, n);
        }
        assertThat(s.length()).isEqualTo(longest);
        assertThat(s.train().truncated()).isZero();
        // The book's loaders: 130 training batches of 8 (last dropped), 19 validation and 38 test batches.
        assertThat(s.train().batches(8, new Random(1), true)).hasSize(130);
        assertThat(s.validation().batches(8, null, false)).hasSize(19);
        assertThat(s.test().batches(8, null, false)).hasSize(38);

        ClassificationSplits capped = ClassificationSplits.prepare(data, true, 123, CHARS, null, 64, 50256);
        assertThat(capped.length()).isEqualTo(64);
        assertThat(capped.truncated()).isPositive();
        assertThat(ClassificationSplits.prepare(data, false, 123, CHARS, 120, 1024, 0).train().size())
                .isEqualTo((int) (5574 * 0.7));
    }
}
