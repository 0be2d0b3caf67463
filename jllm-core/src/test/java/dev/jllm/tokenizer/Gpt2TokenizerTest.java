package dev.jllm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.jllm.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** GPT-2 encoding, exact to the id against jtokkit's r50k_base (the oracle: tiktoken's algorithm in Java). */
class Gpt2TokenizerTest {
    static final Encoding ORACLE = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
    static final Gpt2Tokenizer GPT2 = Gpt2Tokenizer.builtIn();

    static int[] oracle(String text) {
        return ORACLE.encodeOrdinary(text).toArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", " ", "  ", "\n", "\n\n", "   \n\n  x", "Hello, world", "Hello world!  How are   you?\t\tFine.\r\n\r\nBye \n",
        "\r\n", "a\r\nb\r\n\r\n", "  leading", "trailing   ", "tab\tand\u000bvertical\ffeed",
        "I'm sure you'll see they've done it, we'd said, it's John's 'quoted' 're",
        "DON'T 'S 'T ''s '''", "12345678901234567890 3.14159 1,000,000 -42 0x1F 1e-9 ½ ² ٣٤٥ Ⅻ",
        "def f(x):\n    return x ** 2  # square\n\nif __name__ == '__main__':\n\tprint(f(3))\n",
        "for (int i = 0; i < n; i++) { sum += a[i]; } // C-style",
        "café naïve résumé Ångström Ελληνικά русский язык",
        "中文分词测试，日本語のテキスト。한국어 텍스트",
        "emoji 😀👍🏽 👨‍👩‍👧‍👦 🇫🇷 flags and ZWJ",
        "\u00a0non-breaking\u00a0space\u3000ideographic\u2028line\u2029para\u0085next",
        "supercalifragilisticexpialidocious pneumonoultramicroscopicsilicovolcanoconiosis",
        "!!!???... --- ___ *** @@@ ### $$$ %%% ^^^ &&&",
        "Mixed123Letters456 and ۱۲۳ digits, x² y³",
        " \u0301combining \u0065\u0301 mark",
    })
    void matchesTiktokenOnFixedCases(String text) {
        assertThat(GPT2.encode(text)).containsExactly(oracle(text));
        assertThat(GPT2.decode(GPT2.encode(text))).isEqualTo(text);
    }

    @Test
    void helloWorldHasTheKnownIds() {
        assertThat(GPT2.encode("Hello, world")).containsExactly(15496, 11, 995);
        assertThat(GPT2.vocabSize()).isEqualTo(50257);
        assertThat(GPT2.eotId()).isEqualTo(50256);
        assertThat(GPT2.piece(995)).isEqualTo("Ġworld");
        assertThat(GPT2.piece(50256)).isEqualTo("<|endoftext|>");
    }

    @Test
    void veryLongWordsMatch() {
        String word = "abcdefghij".repeat(300) + " " + "x".repeat(5000) + " " + "🙂".repeat(700);
        assertThat(GPT2.encode(word)).containsExactly(oracle(word));
    }

    @Test
    void hundredKilobyteWordIsNotQuadratic() {
        // 100 KB of one letter run: the heap path keeps this to milliseconds (a quadratic merge would take minutes)
        StringBuilder sb = new StringBuilder();
        java.util.Random random = new java.util.Random(1);
        while (sb.length() < 100_000) sb.append((char) ('a' + random.nextInt(26)));
        String word = sb.toString();
        int[] ids = GPT2.encode(word);
        assertThat(GPT2.decode(ids)).isEqualTo(word);
        assertThat(ids).containsExactly(oracle(word));
    }

    @Test
    void theVerdictEncodesTo5145Tokens() throws Exception {
        String text = Files.readString(SharedData.file("the-verdict.txt"));
        int[] ids = GPT2.encode(text);
        assertThat(ids).hasSize(5145);
        assertThat(ids).startsWith(40, 367, 2885, 1464, 1807);
        assertThat(ids).containsExactly(oracle(text));
        assertThat(GPT2.decode(ids)).isEqualTo(text);
        assertThat(new Gpt2Tokenizer(GPT2.vocabulary(), 0).encode(text)).containsExactly(ids); // without the cache
    }

    @Test
    void endOfTextMustBeAllowed() {
        String text = "first<|endoftext|>second";
        assertThatThrownBy(() -> GPT2.encode(text))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("<|endoftext|>");
        int[] ids = GPT2.encode(text, Set.of("<|endoftext|>"));
        int[] expected = java.util.stream.IntStream.concat(java.util.stream.IntStream.concat(
                java.util.Arrays.stream(oracle("first")), java.util.stream.IntStream.of(50256)),
                java.util.Arrays.stream(oracle("second"))).toArray();
        assertThat(ids).containsExactly(expected);
        assertThat(GPT2.decode(ids)).isEqualTo(text);
        assertThat(GPT2.encodeOrdinary(text)).containsExactly(oracle(text)).doesNotContain(50256);
        assertThat(GPT2.encode("<|endoftext|>", Set.of("<|endoftext|>"))).containsExactly(50256);
        assertThatThrownBy(() -> GPT2.encode("x", Set.of("<|nope|>"))).hasMessageContaining("<|nope|>");
    }

    @Test
    void decodingInvalidUtf8GivesReplacementCharacters() {
        int[] ids = GPT2.encode("é"); // one token, two bytes
        byte[] bytes = GPT2.decodeBytes(ids);
        assertThat(bytes).containsExactly(0xC3 - 256, 0xA9 - 256);
        int lead = GPT2.encode("\u00e9\u00e9\u00e9\u00e9 \ud83d\ude00")[0];
        assertThat(GPT2.decode(new int[] {GPT2.encode("😀")[0]})).isEqualTo("\ufffd"); // a lone lead byte
        assertThat(GPT2.decode(new int[] {lead})).doesNotContain("\ufffd\ufffd\ufffd\ufffd\ufffd");
    }

    @Test
    void idsOutOfRangeAreAClearError() {
        assertThatThrownBy(() -> GPT2.decode(new int[] {15496, 50257}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("50257").hasMessageContaining("0..50256");
        assertThatThrownBy(() -> GPT2.decode(new int[] {-1})).hasMessageContaining("-1");
    }

    @Test
    void loneSurrogatesEncodeAsReplacementCharacterLikeTiktoken() {
        assertThat(GPT2.encode("a\ud800b")).containsExactly(GPT2.encode("a\ufffdb"));
    }

    @Test
    void openAiFilesGiveTheSameTokenizer() throws Exception {
        Path encoder = SharedData.file("gpt2/encoder.json");
        Gpt2Tokenizer fromFiles = Gpt2Tokenizer.load(encoder.getParent());
        assertThat(fromFiles.vocabSize()).isEqualTo(50257);
        assertThat(fromFiles.eotId()).isEqualTo(50256);
        String text = Files.readString(SharedData.file("the-verdict.txt"));
        assertThat(fromFiles.encode(text)).containsExactly(GPT2.encode(text));
        assertThat(fromFiles.vocabulary().merges()).isEqualTo(GPT2.vocabulary().merges());
    }
}
