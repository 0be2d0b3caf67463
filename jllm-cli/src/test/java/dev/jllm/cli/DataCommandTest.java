package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.data.TokenFile;
import dev.jllm.data.TokenShards;
import dev.jllm.testing.SharedData;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter(), err = new StringWriter();

    private int run(String... args) {
        return CliHarness.execute(out, err, args);
    }

    @Test
    void preparesTheVerdictIntoAUint16TokenFile() throws Exception {
        Path tokens = dir.resolve("runs/verdict.tok");
        assertThat(run("data", "prepare", "--corpus", SharedData.file("the-verdict.txt").toString(),
                "--vocab", SharedData.file("gpt2/encoder.json").getParent().toString(),
                "--out", tokens.toString(), "--json")).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("tokens").asLong()).isEqualTo(5145);
        assertThat(json.get("documents").asInt()).isEqualTo(1);
        assertThat(json.get("bytes_per_id").asInt()).isEqualTo(2);
        assertThat(json.get("path").asText()).isEqualTo(tokens.toAbsolutePath().toString());
        assertThat(Files.size(tokens)).isEqualTo(32 + 2 * 5145);
        try (TokenFile file = TokenFile.open(tokens)) {
            int[] first = new int[5];
            file.copy(0, first, 0, 5);
            assertThat(first).containsExactly(40, 367, 2885, 1464, 1807);
        }
    }

    @Test
    void specialTokensInTheTextBecomeTheirIds() throws Exception {
        Path corpus = Files.writeString(dir.resolve("stories.txt"), "One.<|endoftext|>Two.");
        Path tokens = dir.resolve("stories.tok");
        assertThat(run("data", "prepare", "--corpus", corpus.toString(), "--out", tokens.toString())).isZero();
        assertThat(out.toString()).contains("5 tokens (uint16) from 1 file"); // One . <|endoftext|> Two .
        try (TokenFile file = TokenFile.open(tokens)) {
            assertThat(file.get(2)).isEqualTo(50256);
        }
    }

    @Test
    void shardsReadInOrderHoldTheIdsOfOneTokenFile() throws Exception {
        Path corpus = Files.createDirectories(dir.resolve("books"));
        for (int i = 0; i < 7; i++) {
            Files.writeString(corpus.resolve("book-" + i + ".txt"), ("Chapter " + i + ". It was a dark night. ").repeat(i + 3));
        }
        Path single = dir.resolve("all.tok"), shards = dir.resolve("shards");
        assertThat(run("data", "prepare", "--corpus", corpus.toString(), "--out", single.toString())).isZero();
        assertThat(run("data", "prepare", "--corpus", corpus.toString(), "--out", shards.toString(),
                "--shard-mb", "0.0002", "--json")).isZero(); // 200 bytes: two or three books a shard
        JsonNode json = new ObjectMapper().readTree(out.toString().lines().toList().getLast());
        assertThat(json.get("shards").asInt()).isBetween(2, 6);
        assertThat(json.get("documents").asInt()).isEqualTo(7);
        try (TokenFile file = TokenFile.open(single)) {
            TokenShards read = TokenShards.open(shards);
            assertThat(read.shardCount()).isEqualTo(json.get("shards").asInt());
            assertThat(read.length()).isEqualTo(file.length()).isEqualTo(json.get("tokens").asLong());
            int n = (int) file.length();
            int[] expected = new int[n], actual = new int[n];
            file.copy(0, expected, 0, n);
            read.copy(0, actual, 0, n); // spans every shard boundary
            assertThat(actual).isEqualTo(expected);
            for (int i = 0; i < n; i += 7) assertThat(read.get(i)).isEqualTo(expected[i]);
        }
    }

    @Test
    void aMissingCorpusIsAOneLineError() {
        Path missing = dir.resolve("nothing");
        assertThat(run("data", "prepare", "--corpus", missing.toString(), "--out", dir.resolve("x.tok").toString()))
                .isEqualTo(1);
        assertThat(err.toString().trim()).isEqualTo("jllm: error: " + missing + ": no such file or folder");
    }
}
