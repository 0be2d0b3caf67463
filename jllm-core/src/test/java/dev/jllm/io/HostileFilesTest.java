package dev.jllm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files that claim sizes they do not have, or hold values no model should: each is a one-line error that names the
 * file (and the tensor), found before anything of the claimed size is allocated (issue 19).
 */
class HostileFilesTest {

    @TempDir
    Path dir;

    @Test
    void aBundleHeaderClaimingTwoBillionShardsAllocatesNothing() throws IOException {
        Path prefix = dir.resolve("x");
        Files.write(TfCheckpoint.dataFile(prefix, 0, 1), new byte[8]);
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        TfBundleWriter.tag(header, 1, 0);
        TfBundleWriter.varint(header, Integer.MAX_VALUE); // num_shards
        TreeMap<String, byte[]> entries = new TreeMap<>();
        entries.put("", header.toByteArray());
        entries.put("w", TfBundleWriter.entry(new int[] {2}, 0, 8, 0));
        Files.write(TfCheckpoint.indexFile(prefix), new TfBundleWriter(16, 4096).table(entries));
        assertThatThrownBy(() -> TfCheckpoint.read(prefix))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(TfCheckpoint.indexFile(prefix) + ": bad shard count 2147483647");
    }

    @Test
    void anIndexEntryClaimingTwoGigabytesFailsTheBoundsCheck() throws IOException {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        TfBundleWriter.varint(block, 0); // shared
        TfBundleWriter.varint(block, 1); // unshared
        TfBundleWriter.varint(block, Integer.MAX_VALUE); // value length: keyStart + 1 + this wraps past 2^31
        block.write('a');
        block.writeBytes(new byte[8]);
        TfBundleWriter.le32(block, 0); // restart at 0
        TfBundleWriter.le32(block, 1); // one restart
        Path index = dir.resolve("x.index");
        Files.write(index, new TfBundleWriter(16, 4096).tableWithRawBlock(block.toByteArray()));
        assertThatThrownBy(() -> TfCheckpoint.read(dir.resolve("x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(index + ": corrupt entry in block at offset 0");
    }

    @Test
    void aProtobufLengthNearTwoGigabytesIsAnErrorNotAnOverflow() {
        byte[] message = {0x12, (byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 1, 2}; // field 2, 2^31-2 bytes
        ProtoReader r = new ProtoReader(message);
        assertThat(r.nextField()).isEqualTo(2);
        assertThatThrownBy(r::readMessage).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("corrupt protobuf: field of 2147483646 bytes runs past the end");
    }

    @Test
    void aShapeWhoseSizeWrapsAroundToZeroIsRefused() throws IOException {
        Path file = dir.resolve("wrap.safetensors");
        byte[] header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[65536,65536,65536,65536],\"data_offsets\":[0,0]}}"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + header.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        Files.write(file, b.array());
        assertThatThrownBy(() -> Safetensors.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": tensor 'w': shape [65536, 65536, 65536, 65536] has too many values");
    }

    @Test
    void nanOrInfiniteWeightsAreRefusedAtLoadByName() throws IOException {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            Path model = dir.resolve("model-" + bad);
            StateDict weights = TestWeights.random(TestWeights.TINY, 1);
            Tensor w = weights.get("h.1.mlp.c_fc.weight");
            w.data()[7] = bad;
            ModelFiles.save(model, TestWeights.TINY, weights);
            assertThatThrownBy(() -> ModelFiles.load(model))
                    .hasMessage(model.resolve(ModelFiles.WEIGHTS) + ": tensor 'h.1.mlp.c_fc.weight' holds " + bad
                            + " at index 7 (a corrupt file, or weights saved after training diverged)");
        }
    }

    @Test
    void aFailedWriteNamesTheFileItWasWriting() {
        Path target = dir.resolve("model.safetensors");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            throw new IOException("No space left on device");
        })).hasMessage("cannot write " + target + ": No space left on device");
        try (var left = Files.list(dir)) {
            assertThat(left).isEmpty(); // no temporary file stays behind
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
