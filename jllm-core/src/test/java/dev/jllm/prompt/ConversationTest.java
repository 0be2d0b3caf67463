package dev.jllm.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConversationTest {

    @Test
    void formatsEarlierTurnsAsExamplesAndEndsWithTheResponseHeader() {
        Conversation c = new Conversation(PromptFormat.ALPACA);
        String first = c.prompt("Name a colour.");
        assertThat(first).isEqualTo(PromptFormat.ALPACA.prompt(new InstructionExample("Name a colour.", "", ""))
                + "\n\n### Response:\n");
        c.add("Name a colour.", c.reply(" Blue.\n"));
        assertThat(c.prompt("Another?")).isEqualTo(first + "Blue.\n\n"
                + PromptFormat.ALPACA.prompt(new InstructionExample("Another?", "", "")) + "\n\n### Response:\n");
        assertThat(c.dropOldest()).isTrue();
        assertThat(c.dropOldest()).isFalse();
        c.add("a", "b");
        c.reset();
        assertThat(c.turns()).isZero();
    }

    @Test
    void completionModeGrowsOneText() {
        Conversation c = new Conversation(null);
        assertThat(c.prompt("Every effort")).isEqualTo("Every effort");
        c.add("Every effort", c.reply(" moves you"));
        assertThat(c.prompt("Then")).isEqualTo("Every effort moves you\nThen");
    }

    @Test
    void theFormatComesFromTheRunsConfig(@TempDir Path dir) throws Exception {
        assertThat(ModelFormat.read(dir)).isEmpty();
        Files.writeString(dir.resolve("config.json"), "{\"n_embd\": 8, \"training\": {\"format\": \"phi3\"}}");
        assertThat(ModelFormat.read(dir)).contains(PromptFormat.PHI3);
        Files.writeString(dir.resolve("config.json"), "{\"training\": {\"epochs\": 2}}");
        assertThat(ModelFormat.read(dir)).isEmpty();
        Files.writeString(dir.resolve("config.json"), "{\"training\": {\"format\": \"chatml\"}}");
        assertThatThrownBy(() -> ModelFormat.read(dir)).hasMessageContaining("config.json")
                .hasMessageContaining("unknown prompt format 'chatml'");
    }
}
