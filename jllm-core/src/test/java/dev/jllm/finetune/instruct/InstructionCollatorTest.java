package dev.jllm.finetune.instruct;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.data.Batch;
import dev.jllm.prompt.InstructionExample;
import dev.jllm.prompt.PromptFormat;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class InstructionCollatorTest {

    private static EncodedInstruction seq(int promptLength, int... tokens) {
        return new EncodedInstruction(tokens, promptLength);
    }

    @Test
    void theBooksDocumentedExample() {
        Batch b = InstructionCollator.book(false)
                .collate(List.of(seq(1, 0, 1, 2, 3, 4), seq(1, 5, 6), seq(1, 7, 8, 9)));
        assertThat(b.batchSize()).isEqualTo(3);
        assertThat(b.length()).isEqualTo(5);
        assertThat(b.inputs()).containsExactly(
                0, 1, 2, 3, 4,
                5, 6, 50256, 50256, 50256,
                7, 8, 9, 50256, 50256);
        assertThat(b.targets()).containsExactly(
                1, 2, 3, 4, 50256,
                6, 50256, -100, -100, -100,
                8, 9, 50256, -100, -100);
    }

    @Test
    void maskPromptIgnoresTheTargetsInsideThePrompt() {
        // Prompt of 3 tokens: targets 0 and 1 predict prompt tokens 1 and 2; target 2 predicts the first response token.
        Batch b = InstructionCollator.book(true).collate(List.of(seq(3, 10, 11, 12, 13, 14), seq(2, 20, 21, 22)));
        assertThat(b.targets()).containsExactly(
                -100, -100, 13, 14, 50256,
                -100, 22, 50256, -100, -100);
    }

    @Test
    void truncatesToTheAllowedMaximumLength() {
        Batch b = new InstructionCollator(50256, -100, 3, false).collate(List.of(seq(1, 0, 1, 2, 3, 4), seq(1, 5)));
        assertThat(b.length()).isEqualTo(3);
        assertThat(b.inputs()).containsExactly(0, 1, 2, 5, 50256, 50256);
        assertThat(b.targets()).containsExactly(1, 2, 3, 50256, -100, -100);
    }

    @Test
    void anEndTokenInsideTheTextIsNotTakenForPadding() {
        Batch b = InstructionCollator.book(false).collate(List.of(seq(1, 1, 50256, 2), seq(1, 3)));
        assertThat(b.targets()).containsExactly(50256, 2, 50256, 50256, -100, -100);
    }

    @Test
    void encodingRecordsThePromptLength() {
        // One id per whitespace-ended word.
        Function<String, int[]> words = s -> java.util.Arrays.stream(s.split("(?<=\\s)")).mapToInt(String::hashCode).toArray();
        InstructionExample e = new InstructionExample("Say hi.", "", "Hi.");
        EncodedInstruction enc = EncodedInstruction.encode(List.of(e), PromptFormat.ALPACA, words).getFirst();
        assertThat(enc.tokens()).isEqualTo(words.apply(PromptFormat.ALPACA.withResponse(e, "Hi.")));
        assertThat(enc.promptLength()).isEqualTo(words.apply(PromptFormat.ALPACA.prompt(e)).length);
        assertThat(enc.promptLength()).isLessThan(enc.tokens().length);
    }
}
