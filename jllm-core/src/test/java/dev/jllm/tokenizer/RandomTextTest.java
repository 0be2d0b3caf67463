package dev.jllm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Thousands of random strings: exact ids against jtokkit, lossless round trip, both merge paths agree. */
class RandomTextTest {

    /** Valid Unicode text (no lone surrogates) weighted towards the characters that matter to the pre-tokenizer. */
    @Provide
    Arbitrary<String> text() {
        Arbitrary<String> anyCodePoint = Arbitraries.integers().between(0, 0x10FFFF)
                .filter(cp -> cp < 0xD800 || cp > 0xDFFF).map(Character::toString);
        Arbitrary<String> ascii = Arbitraries.chars().range(' ', '~').map(String::valueOf);
        Arbitrary<String> tricky = Arbitraries.of(" ", "  ", "\n", "\r\n", "\t", "'", "'s", "'ll", "'re", "\u00a0",
                "\u3000", "\u2028", "\u0085", "\u000b", "é", "ß", "中", "😀", "👍🏽", "١", "½", "Ⅻ", "\u0301", "\u200d");
        Arbitrary<String> words = Arbitraries.of("the", " the", "Hello", " world", "123", " 4567", "don", "ing", "!?");
        Arbitrary<String> part = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, anyCodePoint), net.jqwik.api.Tuple.of(5, ascii),
                net.jqwik.api.Tuple.of(4, tricky), net.jqwik.api.Tuple.of(3, words));
        return part.list().ofMaxSize(40).map(parts -> String.join("", parts));
    }

    @Property(tries = 3000)
    void sameIdsAsTiktoken(@ForAll("text") String text) {
        assertThat(Gpt2TokenizerTest.GPT2.encode(text)).containsExactly(Gpt2TokenizerTest.oracle(text));
    }

    @Property(tries = 1000)
    void arbitraryStringsMatchToo(@ForAll String text) {
        // jqwik's own strings, minus lone surrogates (tiktoken turns them into U+FFFD, jtokkit into '?')
        String valid = text.codePoints().filter(cp -> cp < 0xD800 || cp > 0xDFFF)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        assertThat(Gpt2TokenizerTest.GPT2.encode(valid)).containsExactly(Gpt2TokenizerTest.oracle(valid));
    }

    @Property(tries = 2000)
    void decodeInvertsEncode(@ForAll("text") String text) {
        Gpt2Tokenizer gpt2 = Gpt2TokenizerTest.GPT2;
        assertThat(gpt2.decode(gpt2.encode(text))).isEqualTo(text);
    }

    static final BytePairMerger MERGER = new BytePairMerger(Gpt2TokenizerTest.GPT2.vocabulary().pairTable());

    @Property(tries = 1000)
    void arrayAndHeapMergesAgree(@ForAll("text") String text) {
        BytePairMerger merger = MERGER;
        byte[] bytes = (text + text + text).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int[] a = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) a[i] = Gpt2TokenizerTest.GPT2.vocabulary().byteIds()[bytes[i] & 0xFF];
        int[] b = a.clone();
        int na = merger.mergeWithArray(a, a.length);
        int nb = merger.mergeWithHeap(b, b.length);
        assertThat(java.util.Arrays.copyOf(b, nb)).containsExactly(java.util.Arrays.copyOf(a, na));
    }
}
