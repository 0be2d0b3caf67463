package dev.jllm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three vocabulary formats, and a one-line error naming the file for every kind of bad file. */
class VocabularyFilesTest {
    @TempDir
    Path dir;
    Path vocab;
    Path merges;

    /** A small trained vocabulary, saved as vocab.json + merges.txt. */
    @BeforeEach
    void saveSmallVocabulary() {
        BpeTrainer.train("the cat sat on the mat; the hat", 280, List.of("<|endoftext|>"), BpeTrainer.Progress.NONE)
                .save(dir);
        vocab = dir.resolve("vocab.json");
        merges = dir.resolve("merges.txt");
    }

    private String error(Runnable r) {
        try {
            r.run();
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).doesNotContain("\n");
            return e.getMessage();
        }
        throw new AssertionError("no error");
    }

    @Test
    void openAiFileNamesAndTiktokenRankFilesLoadToo() throws Exception {
        Gpt2Tokenizer hf = Gpt2Tokenizer.load(dir);
        Path openai = Files.createDirectory(dir.resolve("openai"));
        Files.copy(vocab, openai.resolve("encoder.json"));
        Files.copy(merges, openai.resolve("vocab.bpe"));
        assertThat(Gpt2Tokenizer.load(openai).encode("the hat sat")).containsExactly(hf.encode("the hat sat"));

        // a tiktoken rank file of GPT-2 (its ranks are its ids): the same tokenizer as the built-in one
        Path tiktoken = Files.createDirectory(dir.resolve("tiktoken"));
        Gpt2Tokenizer gpt2 = Gpt2TokenizerTest.GPT2;
        StringBuilder ranks = new StringBuilder();
        for (int id = 0; id < gpt2.vocabSize() - 1; id++) {
            ranks.append(Base64.getEncoder().encodeToString(gpt2.vocabulary().tokens()[id])).append(' ').append(id).append('\n');
        }
        Files.writeString(tiktoken.resolve("gpt2.tiktoken"), ranks);
        Gpt2Tokenizer fromRanks = Gpt2Tokenizer.load(tiktoken);
        assertThat(fromRanks.vocabSize()).isEqualTo(50257);
        assertThat(fromRanks.encode("Hello, world")).containsExactly(15496, 11, 995);
    }

    @Test
    void missingFiles() throws Exception {
        assertThat(error(() -> Gpt2Tokenizer.load(dir.resolve("absent")))).endsWith("absent: not a directory");
        Files.delete(merges);
        assertThat(error(() -> Gpt2Tokenizer.load(dir))).isEqualTo(dir + ": has vocab.json but no merges.txt");
        Files.delete(vocab);
        assertThat(error(() -> Gpt2Tokenizer.load(dir))).contains("no vocabulary (expected vocab.json + merges.txt");
    }

    @Test
    void truncatedOrMalformedVocabJson() throws Exception {
        String json = Files.readString(vocab);
        Files.writeString(vocab, json.substring(0, json.length() / 2));
        assertThat(error(() -> Gpt2Tokenizer.load(dir))).startsWith(vocab + ": not a JSON object of token -> id");
        Files.writeString(vocab, "[1, 2, 3]");
        assertThat(error(() -> Gpt2Tokenizer.load(dir))).startsWith(vocab + ": not a JSON object of token -> id");
        Files.writeString(vocab, "{\"a\": \"x\"}");
        assertThat(error(() -> Gpt2Tokenizer.load(dir))).startsWith(vocab + ": not a JSON object of token -> id");
        Files.writeString(vocab, "{}");
        assertThat(error(() -> Gpt2Tokenizer.load(dir))).isEqualTo(vocab + ": the vocabulary is empty");
        Files.writeString(vocab, "{\"a\": 0, \"b\": 5}");
        assertThat(error(() -> Gpt2Tokenizer.load(dir))).isEqualTo(vocab + ": token 'b' has id 5, outside 0..1");
        Files.writeString(vocab, "{\"a\": 0, \"b\": 0}");
        assertThat(error(() -> Gpt2Tokenizer.load(dir))).isEqualTo(vocab + ": id 0 is given to both 'a' and 'b'");
        Files.writeString(vocab, "{\"a\": 0, \"b\": 1}");
        assertThat(error(() -> Gpt2Tokenizer.load(dir))).isEqualTo(vocab + ": no token for byte 0x00 ('Ā')");
    }

    @Test
    void truncatedOrMalformedMerges() throws Exception {
        List<String> lines = Files.readAllLines(merges);
        // cut short: tokens made by the lost rules are left unexplained
        Files.write(merges, lines.subList(0, lines.size() / 2));
        assertThat(error(() -> Gpt2Tokenizer.load(dir))).startsWith(vocab + ": token '").endsWith("(is merges.txt truncated?)");
        // cut in the middle of a line
        Files.writeString(merges, String.join("\n", lines.subList(0, 3)) + "\nĠ");
        assertThat(error(() -> Gpt2Tokenizer.load(dir)))
                .isEqualTo(merges + ": line 4: expected two tokens separated by one space, got 'Ġ'");
        Files.writeString(merges, "#version: 0.2\nt h e\n");
        assertThat(error(() -> Gpt2Tokenizer.load(dir))).startsWith(merges + ": line 2: expected two tokens");
        Files.writeString(merges, "#version: 0.2\nt Ġzzz\n");
        assertThat(error(() -> Gpt2Tokenizer.load(dir))).isEqualTo(merges + ": line 2: token 'Ġzzz' is not in vocab.json");
        Files.writeString(merges, "#version: 0.2\nq q\n");
        assertThat(error(() -> Gpt2Tokenizer.load(dir))).isEqualTo(merges + ": line 2: merged token 'qq' is not in vocab.json");
        Files.write(merges, new byte[] {'a', ' ', (byte) 0xFF});
        assertThat(error(() -> Gpt2Tokenizer.load(dir))).isEqualTo(merges + ": not valid UTF-8 (bad byte 0xFF at offset 2)");
    }

    @Test
    void malformedTiktokenFiles() throws Exception {
        Path d = Files.createDirectory(dir.resolve("tk"));
        Path f = d.resolve("bad.tiktoken");
        Files.writeString(f, "IQ== 0\nnot-base64! 1\n");
        assertThat(error(() -> Gpt2Tokenizer.load(d))).isEqualTo(f + ": line 2: expected 'base64-token rank', got 'not-base64! 1'");
        Files.writeString(f, "IQ== 0\nIg== 0\n");
        assertThat(error(() -> Gpt2Tokenizer.load(d))).isEqualTo(f + ": line 2: rank 0 appears twice");
        Files.writeString(f, "IQ== 0\nIg== 2\n");
        assertThat(error(() -> Gpt2Tokenizer.load(d))).isEqualTo(f + ": no token has rank 1");
        Files.writeString(f, "IQ== 0\n");
        assertThat(error(() -> Gpt2Tokenizer.load(d))).isEqualTo(f + ": no token for byte 0x00");
        Files.writeString(f, "");
        assertThat(error(() -> Gpt2Tokenizer.load(d))).isEqualTo(f + ": the rank file is empty");
        // a multi-byte token that no pair of lower-ranked tokens makes
        StringBuilder ranks = new StringBuilder();
        for (int b = 0; b < 256; b++) ranks.append(Base64.getEncoder().encodeToString(new byte[] {(byte) b})).append(' ').append(b).append('\n');
        ranks.append(Base64.getEncoder().encodeToString("abc".getBytes(StandardCharsets.UTF_8))).append(" 256\n");
        Files.writeString(f, ranks);
        assertThat(error(() -> Gpt2Tokenizer.load(d))).isEqualTo(f + ": token of rank 256 is not the merge of two lower-ranked tokens");
        Files.writeString(d.resolve("other.tiktoken"), ranks);
        assertThat(error(() -> Gpt2Tokenizer.load(d))).contains("more than one .tiktoken file");
    }
}
