package dev.jllm.kernels.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.io.gguf.GgufFile;
import dev.jllm.io.gguf.GgufTestFiles;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Dequantization and quantization bit-exact with the gguf package (goldens by tools/reference/gguf_golden.py). */
class DequantizeTest {

    @ParameterizedTest
    @EnumSource(GgmlType.class)
    void dequantizesExactlyAsTheGgufPackage(GgmlType type) throws IOException {
        try (GgufFile f = GgufFile.open(GgufTestFiles.types())) {
            QuantizedMatrix m = f.matrix("deq." + type);
            assertThat(m.type()).isEqualTo(type);
            float[] expected = f.floats(f.tensor("deq." + type + ".f32"));
            float[] actual = Dequantize.matrix(m);
            assertThat(actual).hasSize(expected.length);
            for (int i = 0; i < expected.length; i++) {
                assertThat(Float.floatToRawIntBits(actual[i])).as("%s value %d: %s vs %s", type, i, actual[i], expected[i])
                        .isEqualTo(Float.floatToRawIntBits(expected[i]));
            }
            float[] row = new float[m.cols()];
            m.row(2, row, 0);
            for (int i = 0; i < row.length; i++) assertThat(row[i]).isEqualTo(expected[2 * m.cols() + i]);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_1"})
    void quantizesToTheGgufPackagesBytes(GgmlType type) throws IOException {
        try (GgufFile f = GgufFile.open(GgufTestFiles.types())) {
            QuantizedMatrix input = f.matrix("input");
            float[] x = Dequantize.matrix(input);
            QuantizedMatrix q = Quantize.matrix(x, input.rows(), input.cols(), type);
            byte[] expected = f.matrix("quant." + type).data().toArray(ValueLayout.JAVA_BYTE);
            assertThat(q.data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q4_K", "Q5_K", "Q6_K"})
    void quantizationErrorIsWithinTheStepOfEachBlock(GgmlType type) {
        java.util.Random random = new java.util.Random(7);
        int rows = 5, cols = 512;
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) random.nextGaussian() * 0.02f;
        float[] back = Dequantize.matrix(Quantize.matrix(w, rows, cols, type));
        // per 32 values the largest magnitude sets the step: 1/127 (8 bits), 1/7.5 (4 bits; Q4_K's 6-bit scales add a little),
        // 1/15.5 (Q5_K: 5 bits, the same scales), 1/64 (Q6_K: 6 bits, 8-bit scales)
        double steps = switch (type) { case Q8_0 -> 127; case Q6_K -> 40; case Q5_K -> 10; case Q4_K -> 5; default -> 7; };
        for (int b = 0; b < w.length / 32; b++) {
            float amax = 0;
            for (int l = 0; l < 32; l++) amax = Math.max(amax, Math.abs(w[32 * b + l]));
            for (int l = 0; l < 32; l++) {
                assertThat((double) Math.abs(back[32 * b + l] - w[32 * b + l])).as("%s block %d", type, b).isLessThanOrEqualTo(amax / steps * 1.01);
            }
        }
    }
}
