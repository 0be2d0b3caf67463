package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeCommandTest {

    @Test
    void trainsAndSavesAVocabulary(@TempDir Path dir) throws Exception {
        Path corpus = Files.writeString(dir.resolve("corpus.txt"), "low lower lowest newer wider ".repeat(50));
        Path out = dir.resolve("out");
        String[] r = TokenizeCommandTest.run("bpe", "train", "--corpus", corpus.toString(), "--vocab-size", "280",
                "--out", out.toString(), "--special", "<|endoftext|>", "--special", "<|pad|>", "--json");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).startsWith("{\"vocabSize\":").contains("\"out\":\"" + out + "\"");
        assertThat(Files.readString(out.resolve("vocab.json"))).contains("\"<|endoftext|>\"", "\"<|pad|>\"", "\"Ġlow");
        assertThat(Files.readAllLines(out.resolve("merges.txt")).get(0)).isEqualTo("#version: 0.2");
    }

    @Test
    void givenSpecialTokensReplaceTheDefault(@TempDir Path dir) throws Exception {
        Path corpus = Files.writeString(dir.resolve("corpus.txt"), "some text to train on");
        Path out = dir.resolve("out");
        assertThat(TokenizeCommandTest.run("bpe", "train", "--corpus", corpus.toString(), "--vocab-size", "260",
                "--out", out.toString(), "--special", "<pad>")[0]).isEqualTo("0");
        assertThat(Files.readString(out.resolve("vocab.json"))).contains("\"<pad>\":259").doesNotContain("<|endoftext|>");
    }

    @Test
    void badCorpusIsAOneLineError(@TempDir Path dir) throws Exception {
        Path corpus = Files.write(dir.resolve("bad.txt"), new byte[] {'o', 'k', (byte) 0xC3});
        String[] r = TokenizeCommandTest.run("bpe", "train", "--corpus", corpus.toString(), "--vocab-size", "300",
                "--out", dir.resolve("out").toString());
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).isEqualTo("jllm: error: " + corpus + ": not valid UTF-8 (bad byte 0xC3 at offset 2)\n");
    }
}
