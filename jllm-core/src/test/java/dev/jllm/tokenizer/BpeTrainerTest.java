package dev.jllm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {
    static final List<String> EOT = List.of("<|endoftext|>");

    static String mergeText(Gpt2Tokenizer t, int rank) {
        Vocabulary.Merge m = t.vocabulary().merges().get(rank);
        return t.piece(m.left()) + " " + t.piece(m.right());
    }

    @Test
    void mergesTheMostFrequentPairFirstAndBreaksTiesBySmallerIds() {
        // one piece; pairs: aa 4, ab 2, then after "aa": (aa, a) 2 and (a, b) 2 -> the smaller ids (a, b) win
        Gpt2Tokenizer t = BpeTrainer.train("aaabdaaabac", 256 + 2 + 1, EOT, BpeTrainer.Progress.NONE);
        assertThat(t.mergeCount()).isEqualTo(2);
        assertThat(mergeText(t, 0)).isEqualTo("a a");
        assertThat(mergeText(t, 1)).isEqualTo("a b");
        assertThat(t.vocabSize()).isEqualTo(259);
        assertThat(t.eotId()).isEqualTo(258);
        assertThat(t.encode("aaab")).containsExactly(256, 257); // "aa" "ab"
    }

    @Test
    void bytesHaveGpt2sIds() {
        Gpt2Tokenizer t = BpeTrainer.train("hello", 300, EOT, BpeTrainer.Progress.NONE);
        for (int id = 0; id < 256; id++) assertThat(t.piece(id)).isEqualTo(Gpt2TokenizerTest.GPT2.piece(id));
    }

    @Test
    void stopsEarlyWhenNothingIsLeftToMerge() {
        Gpt2Tokenizer t = BpeTrainer.train("abc abc", 1000, EOT, BpeTrainer.Progress.NONE);
        // pieces "abc" and " abc": merges ab, then abc, then " " + "abc"... until each piece is one token
        assertThat(t.encode("abc abc")).hasSize(2);
        assertThat(t.vocabSize()).isEqualTo(256 + t.mergeCount() + 1).isLessThan(1000);
    }

    @Test
    void specialTokensSplitTheCorpusAndAreNeverMerged() {
        String corpus = "ab<|endoftext|>ab<|endoftext|>ab";
        Gpt2Tokenizer t = BpeTrainer.train(corpus, 400, EOT, BpeTrainer.Progress.NONE);
        int[] ids = t.encode(corpus, Set.of("<|endoftext|>"));
        assertThat(ids).hasSize(5).contains(t.eotId());
        assertThat(t.decode(ids)).isEqualTo(corpus);
        for (Vocabulary.Merge m : t.vocabulary().merges()) {
            assertThat(new String(t.vocabulary().tokens()[m.merged()], StandardCharsets.UTF_8)).doesNotContain("|");
        }
    }

    @Test
    void reportsProgress() {
        List<Integer> done = new ArrayList<>();
        BpeTrainer.train("the cat sat on the mat with the hat", 270, EOT, (d, total) -> {
            assertThat(total).isEqualTo(270 - 257);
            done.add(d);
        });
        assertThat(done).startsWith(1, 2, 3).isSorted();
    }

    @Test
    void tinyShakespeareTo8192TokensRoundTripsThroughSaveAndLoad(@TempDir Path dir) throws Exception {
        String text = Files.readString(SharedData.file("tinyshakespeare.txt"));
        Gpt2Tokenizer trained = BpeTrainer.train(text, 8192, EOT, BpeTrainer.Progress.NONE);
        assertThat(trained.vocabSize()).isEqualTo(8192);
        assertThat(trained.mergeCount()).isEqualTo(8192 - 257);

        String sample = text.substring(0, 20_000);
        int[] ids = trained.encode(sample);
        assertThat(trained.decode(ids)).isEqualTo(sample);
        assertThat(ids.length).isLessThan(Gpt2TokenizerTest.GPT2.encode(sample).length); // in-domain vocabulary

        trained.save(dir);
        assertThat(Files.readAllLines(dir.resolve("merges.txt"))).hasSize(1 + trained.mergeCount())
                .first().isEqualTo("#version: 0.2");
        Gpt2Tokenizer loaded = Gpt2Tokenizer.load(dir);
        assertThat(loaded.vocabSize()).isEqualTo(8192);
        assertThat(loaded.eotId()).isEqualTo(8191);
        assertThat(loaded.vocabulary().merges()).isEqualTo(trained.vocabulary().merges());
        assertThat(loaded.encode(sample)).containsExactly(ids);
        String unseen = "Zebras 🦓 and naïve JSON: {\"k\": [1, 2]}";
        assertThat(loaded.encode(unseen)).containsExactly(trained.encode(unseen));
    }

    /** tools/reference/hf_bpe_golden.py: Hugging Face tokenizers' ids with our vocabulary trained on the-verdict. */
    @Test
    void huggingFaceEncodesWithOurTrainedVocabularyAsWeDo(@TempDir Path dir) throws Exception {
        Gpt2Tokenizer trained = BpeTrainer.train(SharedData.file("the-verdict.txt"), 1000, EOT, BpeTrainer.Progress.NONE);
        trained.save(dir);
        Gpt2Tokenizer loaded = Gpt2Tokenizer.load(dir);
        JsonNode golden;
        try (var in = getClass().getResourceAsStream("hf_verdict_bpe_1000.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        assertThat(golden.get("vocab_size").asInt()).isEqualTo(trained.vocabSize());
        for (JsonNode c : golden.get("cases")) {
            int[] expected = new int[c.get("ids").size()];
            for (int i = 0; i < expected.length; i++) expected[i] = c.get("ids").get(i).asInt();
            assertThat(trained.encode(c.get("text").asText())).containsExactly(expected);
            assertThat(loaded.encode(c.get("text").asText())).containsExactly(expected);
        }
    }

    @Test
    void builtInVocabularyRoundTripsThroughSaveAndLoad(@TempDir Path dir) {
        Gpt2TokenizerTest.GPT2.save(dir);
        Gpt2Tokenizer loaded = Gpt2Tokenizer.load(dir);
        assertThat(loaded.vocabulary().merges()).isEqualTo(Gpt2TokenizerTest.GPT2.vocabulary().merges());
        assertThat(loaded.encode("Hello, world! It's 2026.")).containsExactly(Gpt2TokenizerTest.GPT2.encode("Hello, world! It's 2026."));
        assertThat(loaded.eotId()).isEqualTo(50256);
    }

    @Test
    void badCorporaAreOneLineErrors(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> BpeTrainer.train("", 300, EOT, BpeTrainer.Progress.NONE)).hasMessage("the corpus is empty");
        Path empty = Files.createFile(dir.resolve("empty.txt"));
        assertThatThrownBy(() -> BpeTrainer.train(empty, 300, EOT, BpeTrainer.Progress.NONE))
                .hasMessage(empty + ": the corpus is empty");
        Path latin1 = Files.write(dir.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9, '!'});
        assertThatThrownBy(() -> BpeTrainer.train(latin1, 300, EOT, BpeTrainer.Progress.NONE))
                .hasMessage(latin1 + ": not valid UTF-8 (bad byte 0xE9 at offset 3)");
        assertThatThrownBy(() -> BpeTrainer.train(dir.resolve("nope.txt"), 300, EOT, BpeTrainer.Progress.NONE))
                .hasMessageContaining("nope.txt: corpus file not found");
        assertThatThrownBy(() -> BpeTrainer.train("text", 200, EOT, BpeTrainer.Progress.NONE))
                .hasMessageContaining("vocabulary size 200");
        assertThatThrownBy(() -> BpeTrainer.train("text", 300, List.of("<a>", "<a>"), BpeTrainer.Progress.NONE))
                .hasMessageContaining("distinct");
    }
}
