package dev.jllm.tokenizer;

/**
 * GPT-2's byte-to-unicode table: every byte value gets a printable character, so that a token's bytes
 * can be written as a plain string in {@code vocab.json} and {@code merges.txt} (space becomes 'Ġ',
 * newline 'Ċ', and so on).
 *
 * <p>The printable Latin-1 bytes ({@code !..~}, {@code ¡..¬}, {@code ®..ÿ}) stand for themselves; the
 * other 68 bytes are mapped, in increasing order, to U+0100, U+0101, ...
 */
final class ByteLevel {
    private ByteLevel() {}

    /** Character of each byte value 0..255. */
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** Byte value of each character below U+0200, or -1 for characters that are not in the table. */
    private static final short[] CHAR_TO_BYTE = new short[0x200];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, (short) -1);
        int next = 0x100;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) next++;
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = (short) b;
        }
    }

    /** The character that stands for byte {@code b} (0..255). */
    static char charOf(int b) {
        return BYTE_TO_CHAR[b];
    }

    /** The byte a character stands for, or -1 when the character is not in the table. */
    static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** Bytes as their byte-level string, e.g. {@code " world"} in UTF-8 becomes {@code "Ġworld"}. */
    static String toText(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(chars);
    }

    /** The bytes a byte-level string stands for, or null when it holds a character outside the table. */
    static byte[] toBytes(String text) {
        byte[] bytes = new byte[text.length()];
        for (int i = 0; i < bytes.length; i++) {
            int b = byteOf(text.charAt(i));
            if (b < 0) return null;
            bytes[i] = (byte) b;
        }
        return bytes;
    }
}
