package dev.jllm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.testing.SharedData;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import dev.jllm.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SlidingWindowDatasetTest {
    private static final Tokenizer GPT2 = Gpt2Tokenizer.builtIn();


    @Test
    void theVerdictFirstPairMatchesTheBook() throws Exception {
        String text = Files.readString(SharedData.file("the-verdict.txt"));
        int[] ids = GPT2.encodeOrdinary(text);
        SlidingWindowDataset dataset = new SlidingWindowDataset(TokenSequence.of(ids), 4, 1);

        SlidingWindowDataset.Example first = dataset.get(0);
        assertThat(first.input()).containsExactly(40, 367, 2885, 1464);
        assertThat(first.target()).containsExactly(367, 2885, 1464, 1807);
        assertThat(dataset.get(1).input()).containsExactly(367, 2885, 1464, 1807);
        // range(0, 5145 - 4, 1) in the book's GPTDatasetV1
        assertThat(ids).hasSize(5145);
        assertThat(dataset.size()).isEqualTo(5141);
    }

    @Test
    void windowsStartAtMultiplesOfTheStrideLikeTheBook() {
        int[] ids = IntStream.range(100, 110).toArray(); // 10 tokens
        SlidingWindowDataset dataset = new SlidingWindowDataset(TokenSequence.of(ids), 3, 2);
        // range(0, 10 - 3, 2) = 0, 2, 4, 6
        assertThat(dataset.size()).isEqualTo(4);
        assertThat(dataset.get(3).input()).containsExactly(106, 107, 108);
        assertThat(dataset.get(3).target()).containsExactly(107, 108, 109);
        assertThatThrownBy(() -> dataset.get(4)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void strideEqualToLengthGivesDisjointWindows() {
        int[] ids = IntStream.range(0, 13).toArray();
        SlidingWindowDataset dataset = new SlidingWindowDataset(TokenSequence.of(ids), 4, 4);
        // range(0, 9, 4) = 0, 4, 8
        assertThat(dataset.size()).isEqualTo(3);
        assertThat(dataset.get(2).input()).containsExactly(8, 9, 10, 11);
        assertThat(dataset.get(2).target()).containsExactly(9, 10, 11, 12);
    }

    @Test
    void tooFewTokensIsAClearError() {
        assertThatThrownBy(() -> new SlidingWindowDataset(TokenSequence.of(1, 2, 3, 4), 4, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("too few tokens for one window: 4 tokens, but a window of max length 4 needs at least 5");
        assertThatThrownBy(() -> new SlidingWindowDataset(TokenSequence.of(1, 2, 3), 1, 0))
                .hasMessageContaining("stride");
    }
}
