package dev.jllm.cli;

import static dev.jllm.cli.ModelCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jllm generate --batch-file}: every line generated together, the same ids as one prompt at a time. */
class GenerateBatchFileTest {

    @Test
    void everyPromptOfTheFileGetsItsOwnJsonLine(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("tiny");
        assertThat(run("init", "--config", "custom", "--emb", "16", "--layers", "1", "--heads", "2", "--context", "48",
                "--seed", "5", "--out", dir.toString()).exit()).isZero();
        List<String> prompts = List.of("Every effort moves you", "Hello", "The quick brown fox jumps over the lazy dog");
        Path file = tmp.resolve("prompts.txt");
        Files.writeString(file, prompts.get(0) + "\n\n" + prompts.get(1) + "\n" + prompts.get(2) + "\n");

        ModelCommandsTest.Run batch = run("generate", "--model", dir.toString(), "--batch-file", file.toString(),
                "--max-tokens", "12", "--json");
        assertThat(batch.exit()).as(batch.err()).isZero();
        List<String> lines = batch.out().lines().toList();
        assertThat(lines).hasSize(3);
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < 3; i++) {
            JsonNode line = json.readTree(lines.get(i));
            assertThat(line.get("index").asInt()).isEqualTo(i);
            assertThat(line.get("prompt").asText()).isEqualTo(prompts.get(i));
            JsonNode alone = run("generate", "--model", dir.toString(), "--prompt", prompts.get(i), "--max-tokens", "12",
                    "--json").json();
            assertThat(line.get("ids")).as("greedy ids of prompt %d", i).isEqualTo(alone.get("ids"));
            assertThat(line.get("prompt_ids")).isEqualTo(alone.get("prompt_ids"));
            assertThat(line.get("text").asText()).isEqualTo(alone.get("text").asText());
        }
        assertThat(batch.err()).contains("3 prompts");

        ModelCommandsTest.Run text = run("generate", "--model", dir.toString(), "--batch-file", file.toString(),
                "--max-tokens", "12", "--max-batch", "2");
        assertThat(text.out()).startsWith(prompts.get(0)).contains(prompts.get(2));

        assertThat(run("generate", "--model", dir.toString(), "--batch-file", file.toString(), "--prompt", "x").err())
                .contains("--batch-file takes the prompts from the file");
        Files.writeString(file, "\n \n");
        assertThat(run("generate", "--model", dir.toString(), "--batch-file", file.toString()).err())
                .contains("no prompts");
        Files.write(file, new byte[] {'H', 'i', (byte) 0xF2, ' ', 't', 'h', 'e', 'r', 'e', '\n'});
        assertThat(run("generate", "--model", dir.toString(), "--batch-file", file.toString()).err())
                .as("a batch file that is not UTF-8 is named, with the bad byte's offset")
                .contains(file.toString()).contains("UTF-8");
    }
}
