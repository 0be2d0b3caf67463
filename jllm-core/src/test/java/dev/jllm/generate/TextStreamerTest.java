package dev.jllm.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TextStreamerTest {

    /** Token i is PIECES[i]; tokens 7 and 8 split the euro sign's three UTF-8 bytes. */
    static final byte[][] PIECES = {
        b("Hello"), b(","), b(" world"), b("\n"), b("User"), b(":"), b(" hi"), {(byte) 0xE2, (byte) 0x82}, {(byte) 0xAC},
    };

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static final Tokenizer TOKENS = new Tokenizer() {
        @Override public int[] encode(String text, Set<String> allowedSpecial) { throw new UnsupportedOperationException(); }
        @Override public int[] encodeOrdinary(String text) { throw new UnsupportedOperationException(); }
        @Override public byte[] decodeBytes(int[] ids) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int id : ids) out.writeBytes(PIECES[id]);
            return out.toByteArray();
        }
        @Override public int vocabSize() { return PIECES.length; }
        @Override public int eotId() { throw new IllegalStateException(); }
        @Override public Map<String, Integer> specialTokens() { return Map.of(); }
        @Override public String piece(int id) { return new String(PIECES[id], StandardCharsets.UTF_8); }
    };


    @Test
    void aCharacterSplitAcrossTokensIsHeldBackUntilComplete() {
        List<String> pieces = new ArrayList<>();
        TextStreamer s = new TextStreamer(TOKENS, List.of(), pieces::add);
        assertThat(s.onToken(0)).isTrue();
        assertThat(s.onToken(7)).isTrue();
        assertThat(pieces).containsExactly("Hello");
        s.onToken(8);
        s.onToken(2);
        s.flush();
        assertThat(pieces).containsExactly("Hello", "€", " world");
        assertThat(s.text()).isEqualTo("Hello€ world");
    }

    @Test
    void aStopStringEndsTheStreamAndIsNotShown() {
        List<String> pieces = new ArrayList<>();
        TextStreamer s = new TextStreamer(TOKENS, List.of("\nUser:"), pieces::add);
        assertThat(s.onToken(0)).isTrue();
        assertThat(s.onToken(3)).isTrue(); // "\n" may start the stop string: held back
        assertThat(String.join("", pieces)).isEqualTo("Hello");
        assertThat(s.onToken(4)).isTrue();
        assertThat(s.onToken(5)).isFalse();
        assertThat(s.stopped()).isTrue();
        assertThat(s.text()).isEqualTo("Hello");
        assertThat(String.join("", pieces)).isEqualTo("Hello");
    }

    @Test
    void aHeldBackPrefixThatDoesNotCompleteIsReleased() {
        List<String> pieces = new ArrayList<>();
        TextStreamer s = new TextStreamer(TOKENS, List.of("\nUser:"), pieces::add);
        s.onToken(3);
        s.onToken(6);
        assertThat(String.join("", pieces)).isEqualTo("\n hi");
        assertThat(s.stopped()).isFalse();
    }
}
