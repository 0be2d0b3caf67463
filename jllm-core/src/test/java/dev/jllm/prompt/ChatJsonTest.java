package dev.jllm.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.chat.ChatTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Conversations and chat preference pairs read by {@link InstructionJson}: the forms accepted, and bad files in one line. */
class ChatJsonTest {

    static Path write(Path dir, String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void conversationsAreMessagesListsOrTheBooksEntriesInJsonOrJsonLines(@TempDir Path dir) throws Exception {
        String messages = "{\"messages\": [{\"role\": \"system\", \"content\": \"S\"}, {\"role\": \"user\", \"content\": \"U\"},"
                + " {\"role\": \"assistant\", \"content\": \"A\", \"reasoning_content\": \"R\"}]}";
        String book = "{\"instruction\": \"I\", \"input\": \"X\", \"output\": \"O\"}";
        List<ChatExample> json = InstructionJson.readConversations(write(dir, "a.json", "[" + messages + ", " + book + "]"));
        List<ChatExample> lines = InstructionJson.readConversations(write(dir, "a.jsonl", messages + "\n\n" + book + "\n"));
        assertThat(lines).isEqualTo(json);
        assertThat(json.get(0).messages()).containsExactly(ChatTemplate.message("system", "S"), ChatTemplate.message("user", "U"),
                Map.of("role", "assistant", "content", "A", "reasoning_content", "R"));
        assertThat(json.get(1).messages()).containsExactly(ChatTemplate.message("user", "I\n\nX"), ChatTemplate.message("assistant", "O"));
        assertThat(InstructionJson.readConversations(write(dir, "b.json", "[{\"instruction\": \"I\", \"output\": \"O\"}]"))
                .getFirst().messages().getFirst()).isEqualTo(ChatTemplate.message("user", "I"));
    }

    @Test
    void preferencePairsAreTheBooksOrTrlsForm(@TempDir Path dir) throws Exception {
        String book = "{\"instruction\": \"I\", \"input\": \"\", \"chosen\": \"C\", \"rejected\": \"R\"}";
        String trlText = "{\"prompt\": \"P\", \"chosen\": \"C\", \"rejected\": \"R\"}";
        String trlMessages = "{\"prompt\": [{\"role\": \"user\", \"content\": \"P\"}],"
                + " \"chosen\": [{\"role\": \"assistant\", \"content\": \"C\"}], \"rejected\": [{\"role\": \"assistant\", \"content\": \"R\"}]}";
        List<ChatPreference> pairs = InstructionJson.readChatPreferences(write(dir, "p.jsonl", book + "\n" + trlText + "\n" + trlMessages));
        assertThat(pairs).containsExactly(new ChatPreference(List.of(ChatTemplate.message("user", "I")), "C", "R"),
                new ChatPreference(List.of(ChatTemplate.message("user", "P")), "C", "R"),
                new ChatPreference(List.of(ChatTemplate.message("user", "P")), "C", "R"));
        assertThat(pairs.get(1).withReply("C")).containsExactly(ChatTemplate.message("user", "P"), ChatTemplate.message("assistant", "C"));
    }

    @Test
    void badFilesAreOneLineNamingTheEntry(@TempDir Path dir) throws Exception {
        Path f = write(dir, "c.json", "[{\"messages\": [{\"role\": \"user\", \"content\": \"U\"}]}]");
        assertThatThrownBy(() -> InstructionJson.readConversations(f))
                .hasMessage(f + ": entry 0: the conversation has no assistant message to learn");
        Path noRole = write(dir, "d.json", "[{\"messages\": [{\"content\": \"U\"}]}]");
        assertThatThrownBy(() -> InstructionJson.readConversations(noRole))
                .hasMessage(noRole + ": entry 0: \"messages\": message 1 has no string \"role\"");
        Path list = write(dir, "e.json", "[{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\"}]}]}]");
        assertThatThrownBy(() -> InstructionJson.readConversations(list))
                .hasMessage(list + ": entry 0: \"messages\": message 1 has a content that is not a string");
        Path notList = write(dir, "f.json", "[{\"messages\": \"hi\"}]");
        assertThatThrownBy(() -> InstructionJson.readConversations(notList)).hasMessageStartingWith(notList + ": entry 0: \"messages\": expected a non-empty JSON list");
        Path badLine = write(dir, "g.jsonl", "{\"messages\": []}\n{\"messages\": [\n");
        assertThatThrownBy(() -> InstructionJson.readConversations(badLine)).hasMessageStartingWith(badLine + ": line 1: \"messages\": expected");
        Path badJson = write(dir, "h.jsonl", "{\"instruction\": \"I\", \"output\": \"O\"}\n{\"messages\": [\n");
        assertThatThrownBy(() -> InstructionJson.readConversations(badJson)).hasMessageStartingWith(badJson + ": not valid JSON (line 2, column");
        Path neither = write(dir, "i.json", "[{\"text\": \"hi\"}]");
        assertThatThrownBy(() -> InstructionJson.readConversations(neither)).hasMessage(neither + ": entry 0 has no \"instruction\"");
        Path object = write(dir, "j.json", "7");
        assertThatThrownBy(() -> InstructionJson.readConversations(object)).hasMessageStartingWith(object + ": expected a JSON list (or JSON Lines)");
        Path chosenUser = write(dir, "k.json", "[{\"prompt\": \"P\", \"chosen\": [{\"role\": \"user\", \"content\": \"C\"}], \"rejected\": \"R\"}]");
        assertThatThrownBy(() -> InstructionJson.readChatPreferences(chosenUser))
                .hasMessage(chosenUser + ": entry 0: \"chosen\" does not end with an assistant message");
        Path noRejected = write(dir, "l.jsonl", "{\"prompt\": \"P\", \"chosen\": \"C\"}");
        assertThatThrownBy(() -> InstructionJson.readChatPreferences(noRejected)).hasMessage(noRejected + ": line 1 has no \"rejected\"");
    }
}
