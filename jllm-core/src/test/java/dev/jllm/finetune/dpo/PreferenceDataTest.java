package dev.jllm.finetune.dpo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.finetune.Splits;
import dev.jllm.prompt.InstructionJson;
import dev.jllm.prompt.PreferenceExample;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.testing.SharedData;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PreferenceDataTest {

    @Test
    void theBooksPreferenceDataSplitsLikeTheInstructionData() {
        List<PreferenceExample> data = InstructionJson.readPreferences(SharedData.file("instruction-data-with-preference.json"));
        assertThat(data).hasSize(1100);
        assertThat(data.get(1).rejected()).isEqualTo("He goes to the stupid park every single day.");
        assertThat(data.get(1).chosen()).isEqualTo("He goes to the park every day.");
        Splits<PreferenceExample> s = Splits.inOrder85_10_5(data, "prefs");
        assertThat(List.of(s.train().size(), s.validation().size(), s.test().size())).containsExactly(935, 55, 110);
    }

    @Test
    void collatePadsBothToOneLengthAndMasksAllButTheResponse() {
        // Positions 0-2 are prompt and response header, the rest response.
        EncodedPreference a = new EncodedPreference(new int[] {1, 2, 3, 4, 5}, new int[] {1, 2, 3, 6}, 3);
        EncodedPreference b = new EncodedPreference(new int[] {7, 8, 9}, new int[] {7, 8, 9, 10, 11, 12}, 3);
        PreferenceBatch batch = PreferenceCollator.book().collate(List.of(a, b));
        assertThat(batch.length()).isEqualTo(7); // longest (6) + 1, as the book
        int p = 50256;
        assertThat(batch.chosen()).containsExactly(1, 2, 3, 4, 5, p, p, 7, 8, 9, p, p, p, p);
        assertThat(batch.rejected()).containsExactly(1, 2, 3, 6, p, p, p, 7, 8, 9, 10, 11, 12, p);
        assertThat(batch.chosenMask()).containsExactly(
                false, false, false, true, true, false, false,
                false, false, false, false, false, false, false);
        assertThat(batch.rejectedMask()).containsExactly(
                false, false, false, true, false, false, false,
                false, false, false, true, true, true, false);
    }

    @Test
    void collateTruncatesToTheAllowedLength() {
        EncodedPreference a = new EncodedPreference(new int[] {1, 2, 3, 4, 5}, new int[] {1, 2, 6}, 2);
        PreferenceBatch batch = new PreferenceCollator(0, 4).collate(List.of(a));
        assertThat(batch.chosen()).containsExactly(1, 2, 3, 4);
        assertThat(batch.chosenMask()).containsExactly(false, false, true, true);
        assertThat(batch.rejectedMask()).containsExactly(false, false, true, false);
    }

    @Test
    void theResponseStartsAfterThePromptAndItsHeader() {
        Function<String, int[]> words = s -> Arrays.stream(s.split("(?<=\\s)")).mapToInt(String::hashCode).toArray();
        PreferenceExample e = new PreferenceExample("Say hi.", "", "Hi.", "Hello there.", "Go away.");
        EncodedPreference enc = EncodedPreference.encode(List.of(e), PromptFormat.ALPACA, words).getFirst();
        int[] response = words.apply("Hello there.");
        int[] chosen = enc.chosen();
        assertThat(Arrays.copyOfRange(chosen, enc.responseStart(), chosen.length)).containsExactly(response);
        assertThat(enc.rejected()).isEqualTo(words.apply(PromptFormat.ALPACA.withResponse(e, "Go away.")));
    }
}
