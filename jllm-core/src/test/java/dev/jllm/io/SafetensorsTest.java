package dev.jllm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir
    Path dir;

    @Test
    void roundTripKeepsNamesOrderShapesValuesAndMetadata() throws IOException {
        StateDict dict = new StateDict();
        dict.put("b.weight", Tensor.of(new float[] {1, -2, 3.5f, Float.MIN_VALUE, -0f, 1e30f}, 2, 3));
        dict.put("a.scalar", Tensor.of(new float[] {42}));
        dict.put("empty", Tensor.zeros(0, 4));
        dict.put("c", Tensor.of(new float[] {7, 8, 9}, 3));
        dict.metadata().put("format", "pt");
        Path file = dir.resolve("x.safetensors");
        Safetensors.write(file, dict);

        StateDict back = Safetensors.read(file);
        TestWeights.assertSame(dict, back);
        assertThat(back.metadata()).containsEntry("format", "pt");
        assertThat(back.get("a.scalar").rank()).isZero();
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).containsExactly(file); // no temporary file left behind
        }
    }

    @Test
    void headerIsPaddedWithSpacesToEightBytes() throws IOException {
        StateDict dict = new StateDict().put("w", Tensor.of(new float[] {1, 2, 3}, 3));
        Path file = dir.resolve("x.safetensors");
        Safetensors.write(file, dict);
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat((8 + n) % 8).isZero();
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(header).startsWith("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}");
        assertThat(header.substring(header.lastIndexOf('}') + 1)).matches(" *");
        assertThat(bytes.length).isEqualTo(8 + n + 12);
    }

    @Test
    void overwritingReplacesTheFileAtomically() throws IOException {
        Path file = dir.resolve("x.safetensors");
        Safetensors.write(file, new StateDict().put("w", Tensor.of(new float[] {1}, 1)));
        Safetensors.write(file, new StateDict().put("v", Tensor.of(new float[] {2, 3}, 2)));
        assertThat(Safetensors.read(file).names()).containsExactly("v");
    }

    @Test
    void readsTorchWrittenF32F16AndBf16AsTorchWidensThem() throws IOException {
        StateDict dict = Safetensors.read(TestWeights.resource("dtypes.safetensors"));
        JsonNode expected = new ObjectMapper().readTree(TestWeights.resource("dtypes.json").toFile());
        assertThat(dict.names()).containsExactly("f32", "f16", "bf16");
        assertThat(dict.get("f32").shape()).containsExactly(2, 3);
        for (String name : dict.names()) {
            float[] want = new float[expected.get(name).size()];
            for (int i = 0; i < want.length; i++) want[i] = (float) expected.get(name).get(i).asDouble();
            assertThat(dict.get(name).data()).as(name).containsExactly(want);
        }
        // -0.0 keeps its sign
        assertThat(Float.floatToRawIntBits(dict.get("f32").data()[4])).isEqualTo(0x80000000);
        assertThat(dict.metadata()).containsEntry("format", "pt").containsEntry("note", "golden");
    }

    @Test
    void halfPrecisionBitPatternsWidenToKnownValues() throws IOException {
        short[] f16 = {0x3C00, (short) 0xC000, 0x7BFF, 0x0001, 0x3555, (short) 0xFC00, 0x7C00};
        float[] f16Want = {1f, -2f, 65504f, 5.9604645e-8f, 0.33325195f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        short[] bf16 = {0x3F80, 0x4049, (short) 0xC2F7, 0x0001, 0x7F80};
        float[] bf16Want = {1f, 3.140625f, -123.5f, Float.intBitsToFloat(0x00010000), Float.POSITIVE_INFINITY};
        Path file = dir.resolve("half.safetensors");
        writeRaw(file, "{\"h\":{\"dtype\":\"F16\",\"shape\":[7],\"data_offsets\":[0,14]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[5],\"data_offsets\":[14,24]}}", shorts(f16, bf16));
        StateDict dict = Safetensors.read(file);
        assertThat(dict.get("h").data()).containsExactly(f16Want);
        assertThat(dict.get("b").data()).containsExactly(bf16Want);
    }

    // ---- malformed files: each a one-line error naming the file and, where there is one, the tensor ----

    @Test
    void fileTooShort() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, new byte[] {1, 2, 3});
        assertError(file, "too short");
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        byte[] bytes = new byte[20];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(1000);
        Files.write(file, bytes);
        assertError(file, "header length 1000 runs past the end of the file (20 bytes");
    }

    @Test
    void malformedJson() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        writeRaw(file, "{\"w\": {\"dtype\": \"F32\", ", new byte[0]);
        assertError(file, "malformed JSON header");
    }

    @Test
    void unknownDtypeIsNamed() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        writeRaw(file, "{\"w\":{\"dtype\":\"F17\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        assertError(file, "tensor 'w': unknown dtype F17");
    }

    @Test
    void unsupportedDtypeFailsWhenRead() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        writeRaw(file, "{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", new byte[16]);
        assertError(file, "tensor 'ids' has unsupported dtype I64");
    }

    @Test
    void shapeDisagreesWithByteRange() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        writeRaw(file, "{\"w\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", new byte[24]);
        assertError(file, "tensor 'w': shape [2, 3] of F16 needs 12 bytes but data_offsets [0, 24] cover 24");
    }

    @Test
    void offsetsOutsideTheDataRegion() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        writeRaw(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", new byte[16]);
        assertError(file, "tensor 'w' ends at data byte 24 but the data region holds only 16 bytes");
    }

    @Test
    void truncatedFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Safetensors.write(file, TestWeights.random(TestWeights.TINY, 1));
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 10));
        assertError(file, "tensor 'ln_f.bias' ends at data byte", "(truncated file?)");
    }

    @Test
    void overlappingRanges() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        writeRaw(file, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]);
        assertError(file, "tensors 'a' [0, 8) and 'b' [4, 12) overlap");
    }

    @Test
    void badOffsetsAndShapes() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        writeRaw(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", new byte[4]);
        assertError(file, "tensor 'w': data_offsets [4, 0] end before they begin");
        writeRaw(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]);
        assertError(file, "tensor 'w': bad dimension -1");
        writeRaw(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]);
        assertError(file, "tensor 'w': data_offsets must be [begin, end]");
    }

    @Test
    void duplicateTensorNames() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        writeRaw(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]);
        assertError(file, "Duplicate field 'w'");
    }

    private static void assertError(Path file, String... parts) {
        assertThatThrownBy(() -> Safetensors.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContainingAll(parts)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    /** A safetensors file from a hand-written header (padded) and raw data bytes. */
    static void writeRaw(Path file, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(json.length).put(json).put(data);
        Files.write(file, buf.array());
    }

    private static byte[] shorts(short[]... parts) {
        int n = 0;
        for (short[] p : parts) n += p.length;
        ByteBuffer buf = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (short[] p : parts) for (short s : p) buf.putShort(s);
        return buf.array();
    }
}
