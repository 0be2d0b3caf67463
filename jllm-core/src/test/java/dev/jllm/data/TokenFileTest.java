package dev.jllm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {
    @TempDir
    Path dir;

    private Path write(int vocabSize, int[]... parts) throws IOException {
        Path file = dir.resolve("tokens.bin");
        try (TokenFileWriter writer = new TokenFileWriter(file, vocabSize)) {
            for (int[] ids : parts) writer.write(ids);
            writer.finish();
        }
        return file;
    }

    private static int[] readAll(TokenFile file) {
        int[] ids = new int[Math.toIntExact(file.length())];
        file.copy(0, ids, 0, ids.length);
        return ids;
    }

    @Test
    void gpt2IdsRoundTripAsUint16() throws IOException {
        int[] ids = {0, 1, 50256, 40, 367, 2885, 50000, 32767, 32768};
        Path file = write(50257, Arrays.copyOf(ids, 4), Arrays.copyOfRange(ids, 4, ids.length));
        // 32-byte header, then 2 bytes per id
        assertThat(Files.size(file)).isEqualTo(32 + 2L * ids.length);
        try (TokenFile tokens = TokenFile.open(file)) {
            assertThat(tokens.bytesPerId()).isEqualTo(2);
            assertThat(tokens.vocabSize()).isEqualTo(50257);
            assertThat(tokens.length()).isEqualTo(ids.length);
            assertThat(readAll(tokens)).containsExactly(ids);
            assertThat(tokens.get(2)).isEqualTo(50256);
        }
    }

    @Test
    void headerFieldsAreLittleEndianAsDocumented() throws IOException {
        Path file = write(70000, new int[] {69999, 1, 65536});
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[8];
        b.get(magic);
        assertThat(new String(magic, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("JLLMTOK\0");
        assertThat(b.getInt()).isEqualTo(1);      // version
        assertThat(b.getInt()).isEqualTo(4);      // uint32: vocabulary above 65,536
        assertThat(b.getLong()).isEqualTo(3);     // count
        assertThat(b.getInt()).isEqualTo(70000);  // vocabulary size
        assertThat(b.getInt()).isZero();          // reserved
        assertThat(b.getInt()).isEqualTo(69999);  // first id
        try (TokenFile tokens = TokenFile.open(file)) {
            assertThat(readAll(tokens)).containsExactly(69999, 1, 65536);
        }
    }

    @Test
    void datasetOverTheMappedFileEqualsDatasetOverTheArray() throws IOException {
        int[] ids = new Random(7).ints(5000, 0, 50257).toArray();
        Path file = write(50257, ids);
        SlidingWindowDataset inMemory = new SlidingWindowDataset(TokenSequence.of(ids), 16, 5);
        try (TokenFile tokens = TokenFile.open(file)) {
            SlidingWindowDataset mapped = new SlidingWindowDataset(tokens, 16, 5);
            assertThat(mapped.size()).isEqualTo(inMemory.size());
            for (int i = 0; i < mapped.size(); i++) {
                assertThat(mapped.get(i).input()).containsExactly(inMemory.get(i).input());
                assertThat(mapped.get(i).target()).containsExactly(inMemory.get(i).target());
            }
        }
    }

    @Test
    void idOutsideTheVocabularyIsRejectedAndNoFileIsLeft() {
        assertThatThrownBy(() -> write(100, new int[] {5, 100}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("token id 100 at position 1 is outside the vocabulary of 100");
        assertThat(dir.resolve("tokens.bin")).doesNotExist();
        assertThat(dir.resolve("tokens.bin.tmp")).doesNotExist();
    }

    @Test
    void badMagicIsAClearError() throws IOException {
        Path file = write(50257, new int[] {1, 2, 3});
        byte[] bytes = Files.readAllBytes(file);
        bytes[0] = 'X';
        Files.write(file, bytes);
        assertThatThrownBy(() -> TokenFile.open(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": not a jllm token file (bad magic)");
    }

    @Test
    void truncatedIdsAreAClearError() throws IOException {
        Path file = write(50257, new int[] {1, 2, 3});
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 1));
        assertThatThrownBy(() -> TokenFile.open(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": truncated token file: the header says 3 ids (6 bytes) but 5 bytes follow the header");
    }

    @Test
    void truncatedHeaderAndUnknownVersionAreClearErrors() throws IOException {
        Path file = write(50257, new int[] {1, 2, 3});
        byte[] bytes = Files.readAllBytes(file);
        Path shortFile = dir.resolve("short.bin");
        Files.write(shortFile, Arrays.copyOf(bytes, 10));
        assertThatThrownBy(() -> TokenFile.open(shortFile))
                .hasMessage(shortFile + ": truncated token file: 10 bytes, shorter than the 32-byte header");
        bytes[8] = 9;
        Files.write(file, bytes);
        assertThatThrownBy(() -> TokenFile.open(file))
                .hasMessage(file + ": unsupported token file version 9 (this jllm reads version 1)");
    }
}
