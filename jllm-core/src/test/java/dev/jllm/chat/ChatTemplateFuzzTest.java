package dev.jllm.chat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jllm.testing.Fuzzing;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Arbitrary chat templates rendered over an arbitrary messages file (the {@code tokenize --messages} and
 * {@code finetune} input): each is read and rendered, or refused with one line, never a stack overflow, a hang or an
 * out-of-memory (Jazzer). The template comes first, as a string the fuzzer sizes; the rest of the input is the file.
 */
class ChatTemplateFuzzTest {
    private static final Path MESSAGES = Fuzzing.scratch("chat-template").resolve("messages.json");

    @FuzzTest(maxDuration = "10m")
    void fuzz(FuzzedDataProvider data) throws Exception {
        String source = data.consumeString(2000);
        boolean generationPrompt = data.consumeBoolean();
        Fuzzing.write(MESSAGES, data.consumeRemainingAsBytes());
        Fuzzing.readsOrRefuses(() -> {
            ChatTemplate template = ChatTemplate.of(source, Map.of("bos_token", "<s>", "eos_token", "</s>"));
            List<Map<String, Object>> messages;
            try {
                messages = ChatTemplate.readMessages(MESSAGES);
            } catch (IllegalArgumentException e) {
                messages = List.of(ChatTemplate.message("user", "Hi"), ChatTemplate.message("assistant", "Hello"));
            }
            template.render(messages, generationPrompt, null);
        });
    }
}
