package dev.jllm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.Normalizer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/** decode(encode(s)) = s on valid text, for the real tokenizers (Qwen3 normalizes to NFC first). */
@AddLifecycleHook(SharedDataPresent.class)
class HfTokenizerPropertiesTest {

    private static final List<String> ATOMS = List.of("a", "Z", "hello", " world", "'s", "'LL", "1", "2024", " ", "  ",
            "\t", "\n", "\r\n", "\n\n\n", ".", "!?", "->", "é", "e\u0301", "ß", "中文", "日本", "한", "😀", "👨‍👩‍👧",
            "🇯🇵", "\u00a0", "\u3000", "٣", "½", "<|im_end|>", "<think>", "<|eot_id|>", "<start_of_turn>", "<bos>",
            "<br>", "    ", "x".repeat(80));

    @Provide
    Arbitrary<String> text() {
        Arbitrary<String> atom = Arbitraries.oneOf(Arbitraries.of(ATOMS),
                Arbitraries.integers().between(0x20, 0x2FFF).filter(Character::isDefined).map(Character::toString),
                Arbitraries.integers().between(0x1F300, 0x1FAFF).filter(Character::isDefined).map(Character::toString));
        return atom.list().ofMaxSize(40).map(l -> String.join("", l));
    }

    @Property(tries = 300)
    void llama3RoundTrips(@ForAll("text") String s) {
        HfTokenizer tok = SharedTokenizers.get("llama3");
        assertThat(tok.decode(tok.encodeWithSpecials(s))).isEqualTo(s);
        assertThat(tok.decode(tok.encodeOrdinary(s))).isEqualTo(s);
    }

    @Property(tries = 300)
    void qwen3RoundTripsOnNfcText(@ForAll("text") String s) {
        HfTokenizer tok = SharedTokenizers.get("qwen3");
        String nfc = Normalizer.normalize(s, Normalizer.Form.NFC);
        assertThat(tok.decode(tok.encodeWithSpecials(nfc))).isEqualTo(nfc);
        assertThat(tok.decode(tok.encodeOrdinary(nfc))).isEqualTo(nfc);
    }

    @Property(tries = 300)
    void gemma3RoundTripsOnTextWithoutMetaspace(@ForAll("text") String s) {
        HfTokenizer tok = SharedTokenizers.get("gemma3");
        String t = s.replace('▁', '_');
        assertThat(tok.decode(tok.encodeWithSpecials(t))).isEqualTo(t);
        assertThat(tok.decode(tok.encodeOrdinary(t))).isEqualTo(t);
        assertThat(new String(tok.decodeBytes(tok.encodeOrdinary(t)), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(t);
    }
}
