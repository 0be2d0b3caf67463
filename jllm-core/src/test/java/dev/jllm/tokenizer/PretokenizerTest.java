package dev.jllm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The scanner against GPT-2's regular expression run by java.util.regex with Unicode classes. */
class PretokenizerTest {
    static final Pattern GPT2 = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    static List<String> regexSplit(String text) {
        List<String> pieces = new ArrayList<>();
        Matcher m = GPT2.matcher(text);
        while (m.find()) pieces.add(m.group());
        return pieces;
    }

    @Test
    void splitsLikeGpt2() {
        assertThat(Pretokenizer.split("Hello, world!  It's 42\n\n  ok"))
                .containsExactly("Hello", ",", " world", "!", " ", " It", "'s", " 42", "\n\n ", " ok");
        assertThat(Pretokenizer.split("a\r\n")).containsExactly("a", "\r\n");
        assertThat(Pretokenizer.split("x  ")).containsExactly("x", "  ");
    }

    @Provide
    Arbitrary<String> text() {
        Arbitrary<String> anyChar = Arbitraries.chars().all().map(String::valueOf); // lone surrogates included
        Arbitrary<String> codePoint = Arbitraries.integers().between(0, 0x10FFFF).map(Character::toString);
        Arbitrary<String> tricky = Arbitraries.of(" ", "  ", "\n", "\r", "\t", "'", "s", "t", "re", "ll", "\u00a0",
                "\u2003", "\u0085", "\u001c", "1", "x", "!", "é", "😀", "٣");
        return Arbitraries.oneOf(anyChar, codePoint, tricky, tricky).list().ofMaxSize(30)
                .map(parts -> String.join("", parts));
    }

    @Property(tries = 5000)
    void sameSplitAsTheRegex(@ForAll("text") String text) {
        assertThat(Pretokenizer.split(text)).isEqualTo(regexSplit(text));
    }
}
