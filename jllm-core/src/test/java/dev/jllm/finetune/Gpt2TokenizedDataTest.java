package dev.jllm.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.finetune.classify.ClassificationBatch;
import dev.jllm.finetune.classify.ClassificationData;
import dev.jllm.finetune.classify.ClassificationSplits;
import dev.jllm.finetune.dpo.EncodedPreference;
import dev.jllm.finetune.dpo.PreferenceBatch;
import dev.jllm.finetune.dpo.PreferenceCollator;
import dev.jllm.finetune.instruct.EncodedInstruction;
import dev.jllm.prompt.InstructionExample;
import dev.jllm.prompt.InstructionJson;
import dev.jllm.prompt.PreferenceExample;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.testing.SharedData;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import dev.jllm.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The data pipelines with GPT-2's real tokenizer, as the book runs them. */
class Gpt2TokenizedDataTest {

    private final Tokenizer gpt2 = Gpt2Tokenizer.builtIn();

    @Test
    void spamMessagesPadWithTheEndTokenAndFitTheContext() {
        ClassificationData data = ClassificationData.readSmsSpam(SharedData.file("sms_spam_collection.tsv"));
        ClassificationSplits s = ClassificationSplits.prepare(data, true, 123, gpt2::encode, null, 1024, gpt2.eotId());
        // The book's longest training message is 120 tokens; another balancing sample gives a similar length.
        assertThat(s.length()).isBetween(100, 300);
        ClassificationBatch b = s.train().batches(8, null, false).getFirst();
        for (int r = 0; r < b.size(); r++) {
            int last = b.lastIndex()[r];
            int[] row = Arrays.copyOfRange(b.ids(), r * b.length(), (r + 1) * b.length());
            assertThat(row[last]).isNotEqualTo(50256);
            assertThat(Arrays.copyOfRange(row, last + 1, row.length)).containsOnly(50256);
        }
    }

    @Test
    void theResponseHeaderFollowsThePromptTokens() {
        List<InstructionExample> data = InstructionJson.readInstructions(SharedData.file("instruction-data.json"));
        EncodedInstruction e = EncodedInstruction.encode(data.subList(0, 1), PromptFormat.ALPACA, gpt2::encode).getFirst();
        // "\n\n### Response:\n" is 198 198 ("\n" twice: GPT-2 splits a newline run before a non-space),
        // 21017 ("###"), 18261 (" Response"), 25 (":"), 198 ("\n").
        assertThat(Arrays.copyOfRange(e.tokens(), e.promptLength(), e.promptLength() + 6))
                .containsExactly(198, 198, 21017, 18261, 25, 198);
        assertThat(gpt2.decode(e.tokens())).isEqualTo(PromptFormat.ALPACA.withResponse(data.getFirst(), data.getFirst().output()));
    }

    @Test
    void preferenceMasksCoverExactlyTheResponse() {
        List<PreferenceExample> data = InstructionJson.readPreferences(SharedData.file("instruction-data-with-preference.json"));
        List<EncodedPreference> enc = EncodedPreference.encode(data.subList(0, 4), PromptFormat.ALPACA, gpt2::encode);
        PreferenceBatch b = PreferenceCollator.book().collate(enc);
        for (int r = 0; r < b.size(); r++) {
            int[] ids = new int[0];
            for (int j = 0; j < b.length(); j++) {
                if (b.chosenMask()[r * b.length() + j]) {
                    ids = Arrays.copyOf(ids, ids.length + 1);
                    ids[ids.length - 1] = b.chosen()[r * b.length() + j];
                }
            }
            assertThat(gpt2.decode(ids)).isEqualTo(data.get(r).chosen());
        }
    }
}
