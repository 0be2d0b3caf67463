package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizeCommandTest {

    /** Runs the CLI; returns {exit code, stdout, stderr}. */
    static String[] run(String... args) {
        ModelCommandsTest.Run r = ModelCommandsTest.run(args);
        return new String[] {String.valueOf(r.exit()), r.out(), r.err()};
    }

    @Test
    void printsIdsPiecesAndCount() {
        String[] r = run("tokenize", "Hello, world");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).isEqualTo("""
                ids:    [15496, 11, 995]
                pieces: ["Hello", ",", " world"]
                count:  3
                """);
    }

    @Test
    void json() {
        String[] r = run("tokenize", "--json", "Hello, world");
        assertThat(r[1].strip()).isEqualTo("{\"ids\":[15496,11,995],\"count\":3}");
    }

    @Test
    void decodes() {
        assertThat(run("tokenize", "--decode", "--ids", "15496,11,995")[1]).isEqualTo("Hello, world\n");
        assertThat(run("tokenize", "--decode", "--ids", "15496,11,995", "--json")[1].strip())
                .isEqualTo("{\"text\":\"Hello, world\"}");
        String[] bad = run("tokenize", "--decode", "--ids", "1,99999");
        assertThat(bad[0]).isEqualTo("1");
        assertThat(bad[2].strip()).isEqualTo("jllm: error: token id 99999 is out of range: the vocabulary has ids 0..50256");
    }

    @Test
    void specialTokensNeedToBeAllowed() {
        String[] refused = run("tokenize", "a<|endoftext|>b");
        assertThat(refused[0]).isEqualTo("1");
        assertThat(refused[2]).startsWith("jllm: error: the text contains the special token <|endoftext|>").hasLineCount(1);
        String[] allowed = run("tokenize", "--allowed-special", "<|endoftext|>", "--json", "a<|endoftext|>b");
        assertThat(allowed[1].strip()).isEqualTo("{\"ids\":[64,50256,65],\"count\":3}");
    }

    @Test
    void readsFilesAndOtherVocabularies(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("in.txt"), "the cat sat");
        assertThat(run("tokenize", "--file", text.toString(), "--json")[1].strip())
                .isEqualTo("{\"ids\":[1169,3797,3332],\"count\":3}");
        Path corpus = Files.writeString(dir.resolve("corpus.txt"), "the cat sat on the mat ".repeat(20));
        Path vocab = dir.resolve("vocab");
        assertThat(run("bpe", "train", "--corpus", corpus.toString(), "--vocab-size", "300", "--out", vocab.toString())[0])
                .isEqualTo("0");
        String[] r = run("tokenize", "--vocab", vocab.toString(), "--json", "the cat sat");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).contains("\"count\":3");
    }

    @Test
    void inputErrors(@TempDir Path dir) throws Exception {
        assertThat(run("tokenize")[2]).contains("give either TEXT or --file F");
        assertThat(run("tokenize", "--file", dir.resolve("absent.txt").toString())[2])
                .isEqualTo("jllm: error: " + dir.resolve("absent.txt") + ": file not found\n");
        assertThat(run("tokenize", "--decode")[2]).contains("--decode needs --ids");
        assertThat(run("tokenize", "--vocab", dir.toString(), "x")[2]).contains("no vocabulary");
    }
}
