package dev.jllm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.testing.SharedData;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import dev.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusPreparerTest {
    private static final Tokenizer GPT2 = Gpt2Tokenizer.builtIn();

    @TempDir
    Path dir;

    private static int[] prepared(Path out, List<Path> documents, int chunkChars) throws IOException {
        new CorpusPreparer(GPT2::encodeOrdinary, GPT2.vocabSize(), GPT2.eotId(), chunkChars)
                .prepare(documents, out, n -> {});
        try (TokenFile tokens = TokenFile.open(out)) {
            int[] ids = new int[Math.toIntExact(tokens.length())];
            tokens.copy(0, ids, 0, ids.length);
            return ids;
        }
    }

    @Test
    void chunkedParallelEncodingOfTheVerdictEqualsEncodingItWhole() throws IOException {
        Path verdict = SharedData.file("the-verdict.txt");
        int[] whole = GPT2.encodeOrdinary(Files.readString(verdict));
        AtomicLong bytes = new AtomicLong();
        CorpusPreparer.Result result = new CorpusPreparer(GPT2::encodeOrdinary, 50257, 50256, 300)
                .prepare(List.of(verdict), dir.resolve("verdict.tok"), bytes::addAndGet);
        assertThat(result.tokens()).isEqualTo(5145);
        assertThat(result.characters()).isEqualTo(20479);
        assertThat(bytes.get()).isEqualTo(Files.size(verdict));
        assertThat(prepared(dir.resolve("verdict2.tok"), List.of(verdict), 300)).containsExactly(whole);
    }

    /** Text made of the characters that make cutting hard: whitespace runs, line breaks, letters, digits, marks. */
    @Provide
    Arbitrary<String> awkwardText() {
        return Arbitraries.strings().withChars('a', 'b', ' ', ' ', '\n', '\n', '\r', '\t', '.', '\'', '1', 'é', '\u3000')
                .ofMinLength(0).ofMaxLength(200);
    }

    @Property(tries = 300)
    void cuttingAtSafePlacesNeverChangesTheIds(@ForAll("awkwardText") String text, @ForAll @IntRange(min = 1, max = 20) int chunk)
            throws IOException {
        Path corpus = Files.createTempFile("corpus", ".txt");
        Path out = Files.createTempFile("corpus", ".tok");
        try {
            Files.writeString(corpus, "x" + text); // never empty
            assertThat(prepared(out, List.of(corpus), chunk)).containsExactly(GPT2.encodeOrdinary("x" + text));
        } finally {
            Files.deleteIfExists(corpus);
            Files.deleteIfExists(out);
        }
    }

    @Test
    void aFolderIsItsFilesInPathOrderSeparatedByEndOfText() throws IOException {
        Path corpus = Files.createDirectories(dir.resolve("corpus"));
        Files.writeString(corpus.resolve("b.txt"), "Second document.\n");
        Files.writeString(corpus.resolve("a.txt"), "First one");
        Files.writeString(corpus.resolve(".hidden"), "never read");
        Files.createDirectories(corpus.resolve("sub"));
        Files.writeString(corpus.resolve("sub/c.txt"), "Third");
        List<Path> files = CorpusPreparer.corpusFiles(corpus);
        assertThat(files).containsExactly(corpus.resolve("a.txt"), corpus.resolve("b.txt"), corpus.resolve("sub/c.txt"));

        int[] expected = IntStream.concat(IntStream.concat(
                        IntStream.concat(IntStream.of(GPT2.encodeOrdinary("First one")), IntStream.of(50256)),
                        IntStream.concat(IntStream.of(GPT2.encodeOrdinary("Second document.\n")), IntStream.of(50256))),
                IntStream.of(GPT2.encodeOrdinary("Third"))).toArray();
        assertThat(prepared(dir.resolve("out.tok"), files, 4)).containsExactly(expected);
    }

    @Test
    void emptyCorpusIsAnErrorAndLeavesNoFile() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        Path out = dir.resolve("out.tok");
        assertThatThrownBy(() -> prepared(out, List.of(empty), 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(empty + ": the corpus is empty");
        assertThat(out).doesNotExist();
        assertThatThrownBy(() -> CorpusPreparer.corpusFiles(Files.createDirectories(dir.resolve("none"))))
                .hasMessage(dir.resolve("none") + ": the corpus folder has no files");
        assertThatThrownBy(() -> CorpusPreparer.corpusFiles(dir.resolve("missing")))
                .hasMessage(dir.resolve("missing") + ": no such file or folder");
    }

    @Test
    void textThatIsNotUtf8IsAnErrorNamingTheFile() throws IOException {
        Path latin1 = Files.write(dir.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n'});
        Path out = dir.resolve("out.tok");
        assertThatThrownBy(() -> prepared(out, List.of(latin1), 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(latin1 + ": not UTF-8 text (malformed byte sequence)");
        assertThat(out).doesNotExist();
    }
}
