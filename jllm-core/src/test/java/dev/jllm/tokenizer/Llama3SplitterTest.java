package dev.jllm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The hand-written scanner cuts text exactly as java.util.regex does with Llama 3's and Qwen3's expressions. */
class Llama3SplitterTest {

    static List<String> pieces(PieceSplitter splitter, String text) {
        List<String> out = new ArrayList<>();
        for (int p = 0; p < text.length(); ) {
            int e = splitter.pieceEnd(text, p, text.length());
            assertThat(e).isGreaterThan(p);
            out.add(text.substring(p, e));
            p = e;
        }
        return out;
    }

    @Provide
    Arbitrary<String> text() {
        Arbitrary<String> atom = Arbitraries.oneOf(
                Arbitraries.of("'", "s", "S", "t", "re", "VE", "m", "ll", "D", "ſ", "a", "Z", "é", "中", "1", "٣", "½",
                        " ", "  ", "\t", "\n", "\r", "\r\n", "\u00a0", "\u3000", "\u2028", "\u0085", ".", "!", "-", "_",
                        "😀", "\u200d", "\u0301", "\u000b"),
                Arbitraries.integers().between(0, 0x2FFF).filter(c -> c < 0xD800 || c > 0xDFFF).map(Character::toString));
        return atom.list().ofMaxSize(30).map(l -> String.join("", l));
    }

    @Property(tries = 3000)
    void llama3ScannerEqualsTheRegex(@ForAll("text") String s) {
        assertThat(pieces(Llama3Splitter.forPattern(Llama3Splitter.LLAMA3), s))
                .isEqualTo(pieces(new RegexSplitter(Llama3Splitter.LLAMA3), s));
    }

    @Property(tries = 3000)
    void qwen3ScannerEqualsTheRegex(@ForAll("text") String s) {
        assertThat(pieces(Llama3Splitter.forPattern(Llama3Splitter.QWEN3), s))
                .isEqualTo(pieces(new RegexSplitter(Llama3Splitter.QWEN3), s));
    }

    @Example
    void examples() {
        PieceSplitter llama = Llama3Splitter.forPattern(Llama3Splitter.LLAMA3);
        assertThat(pieces(llama, "I'M 12345 .net  hi\n\n x")).containsExactly("I", "'M", " ", "123", "45", " .", "net", " ", " hi",
                "\n\n", " x");
        assertThat(pieces(Llama3Splitter.forPattern(Llama3Splitter.QWEN3), "a123")).containsExactly("a", "1", "2", "3");
    }
}
