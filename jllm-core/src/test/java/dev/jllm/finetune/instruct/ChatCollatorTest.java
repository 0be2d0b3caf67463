package dev.jllm.finetune.instruct;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.data.Batch;
import dev.jllm.prompt.ChatFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ChatCollator}: targets are the learned tokens only, rows padded and cut, no end token appended. */
class ChatCollatorTest {

    static final int PAD = 99, X = -100;

    static ChatFormat.Tokens tokens(int[] ids, int... learned) {
        boolean[] l = new boolean[ids.length];
        for (int k : learned) l[k] = true;
        return new ChatFormat.Tokens(ids, l);
    }

    @Test
    void targetsAreTheLearnedTokensShiftedByOne() {
        // prompt 10 11, reply 12 13 (13 its end token), prompt 14, reply 15 16
        ChatFormat.Tokens a = tokens(new int[] {10, 11, 12, 13, 14, 15, 16}, 2, 3, 5, 6);
        ChatFormat.Tokens b = tokens(new int[] {20, 21, 22}, 2);
        Batch batch = new ChatCollator(PAD, X, 100).collate(List.of(a, b));
        assertThat(batch.batchSize()).isEqualTo(2);
        assertThat(batch.length()).isEqualTo(6);
        assertThat(batch.inputs()).containsExactly(10, 11, 12, 13, 14, 15, 20, 21, 22, PAD, PAD, PAD);
        assertThat(batch.targets()).containsExactly(X, 12, 13, X, 15, 16, X, 22, X, X, X, X);
    }

    @Test
    void rowsAreCutToTheAllowedLength() {
        ChatFormat.Tokens a = tokens(new int[] {10, 11, 12, 13, 14}, 2, 3, 4);
        Batch batch = new ChatCollator(PAD, X, 2).collate(List.of(a));
        assertThat(batch.inputs()).containsExactly(10, 11);
        assertThat(batch.targets()).containsExactly(X, 12);
        assertThat(EncodedChat.fitting(List.of(a), 1)).isEmpty();   // its first input predicts only the prompt
        assertThat(EncodedChat.fitting(List.of(a), 2)).containsExactly(a);
    }
}
