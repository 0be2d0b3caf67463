package dev.jllm.finetune;

import dev.jllm.prompt.*;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jllm.testing.Fuzzing;
import java.nio.file.Path;

/** Arbitrary bytes as instruction, preference, response or chat JSON (or JSON Lines): entries, or one line (Jazzer; see RELIABILITY.md). */
class InstructionJsonFuzzTest {
    private static final Path FILE = Fuzzing.scratch("instructions").resolve("data.json");

    @FuzzTest(maxDuration = "10m")
    void fuzz(byte[] bytes) throws Exception {
        Fuzzing.write(FILE, bytes);
        Fuzzing.readsOrRefuses(() -> InstructionJson.readInstructions(FILE).forEach(PromptFormat.ALPACA::prompt));
        Fuzzing.readsOrRefuses(() -> InstructionJson.readPreferences(FILE));
        Fuzzing.readsOrRefuses(() -> InstructionJson.readResponses(FILE));
        Fuzzing.readsOrRefuses(() -> InstructionJson.readConversations(FILE));
        Fuzzing.readsOrRefuses(() -> InstructionJson.readChatPreferences(FILE));
    }
}
