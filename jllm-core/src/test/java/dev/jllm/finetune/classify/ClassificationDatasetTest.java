package dev.jllm.finetune.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ClassificationDatasetTest {

    /** One id per character: easy to count by eye. */
    private static final Function<String, int[]> CHARS = s -> s.chars().toArray();

    private static final List<LabeledText> TRAIN = List.of(new LabeledText("abc", 0), new LabeledText("de", 1),
            new LabeledText("fghij", 1), new LabeledText("k", 0), new LabeledText("lm", 0));

    @Test
    void padsToTheLongestTrainingMessageAndMarksTheLastRealToken() {
        List<int[]> encoded = ClassificationDataset.encode(TRAIN, CHARS);
        int length = ClassificationDataset.paddedLength(encoded, null, 1024);
        assertThat(length).isEqualTo(5);
        ClassificationDataset ds = ClassificationDataset.of(encoded, TRAIN, length, 50256);
        assertThat(ds.ids(1)).containsExactly('d', 'e', 50256, 50256, 50256);
        ClassificationBatch b = ds.batch(new int[] {0, 2, 3});
        assertThat(b.size()).isEqualTo(3);
        assertThat(b.length()).isEqualTo(5);
        assertThat(b.ids()).containsExactly('a', 'b', 'c', 50256, 50256, 'f', 'g', 'h', 'i', 'j', 'k', 50256, 50256,
                50256, 50256);
        assertThat(b.lastIndex()).containsExactly(2, 4, 0);
        assertThat(b.labels()).containsExactly(0, 1, 0);
    }

    @Test
    void longerMessagesAreTruncatedToMaxLengthAndCounted() {
        List<int[]> encoded = ClassificationDataset.encode(TRAIN, CHARS);
        ClassificationDataset ds = ClassificationDataset.of(encoded, TRAIN,
                ClassificationDataset.paddedLength(encoded, 2, 1024), 0);
        assertThat(ds.truncated()).isEqualTo(2);
        ClassificationBatch b = ds.batch(new int[] {2, 3});
        assertThat(b.ids()).containsExactly('f', 'g', 'k', 0);
        assertThat(b.lastIndex()).containsExactly(1, 0);
        // The longest message is capped at the context length when no maximum length is given.
        assertThat(ClassificationDataset.paddedLength(encoded, null, 3)).isEqualTo(3);
        assertThatThrownBy(() -> ClassificationDataset.paddedLength(encoded, 2048, 1024))
                .hasMessage("maximum length 2048 exceeds the model's context length 1024");
    }

    @Test
    void batchesLikeTheBooksLoaders() {
        ClassificationDataset ds = ClassificationDataset.of(TRAIN, CHARS, 5, 50256);
        List<ClassificationBatch> train = ds.batches(2, new Random(1), true);
        assertThat(train).hasSize(2).allSatisfy(b -> assertThat(b.size()).isEqualTo(2));
        List<ClassificationBatch> test = ds.batches(2, null, false);
        assertThat(test).extracting(ClassificationBatch::size).containsExactly(2, 2, 1);
        assertThat(test.get(2).labels()).containsExactly(0);
    }

    @Test
    void aTextWithNoTokensIsAnError() {
        assertThatThrownBy(() -> ClassificationDataset.encode(List.of(new LabeledText("x", 0)), s -> new int[0]))
                .hasMessage("the text 'x' encodes to no tokens");
    }
}
