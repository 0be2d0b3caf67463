package dev.jllm.kernels.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.kernels.Parallel;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Products of many rows with ggml blocks ({@link QuantizedMatmul}) against the exact sums over the dequantized
 * weights ({@link Dequantize}, itself exact to the gguf package): the batch rows bit-equal to the one-row product,
 * the tiled product and the input gradient within float32 rounding of the exact sums.
 */
class QuantizedMatmulTest {
    private static final double REL = 1e-5;

    @AfterEach
    void threads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    private static QuantizedMatrix matrix(GgmlType type, int rows, int cols, Random random) {
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) random.nextGaussian() * 0.05f;
        return Quantize.matrix(w, rows, cols, type);
    }

    private static float[] gaussian(int n, Random random) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
        return x;
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q4_K", "Q5_K", "Q6_K"})
    void batchRowsAreEachTheOneRowProduct(GgmlType type) {
        Parallel.setThreads(2);
        Random random = new Random(5);
        int n = 37, k = 512, m = 5;
        QuantizedMatrix w = matrix(type, n, k, random);
        float[] x = gaussian(m * k, random), bias = gaussian(n, random), y = new float[m * n];
        QuantizedMatmul.rows(x, 0, w, bias, y, 0, m);
        for (int i = 0; i < m; i++) {
            float[] alone = new float[n];
            QuantizedGemv.multiply(w, x, i * k, alone, 0);
            for (int j = 0; j < n; j++) assertThat(y[i * n + j]).as("%s row %d, %d", type, i, j).isEqualTo(alone[j] + bias[j]);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void tiledProductAndInputGradientAreTheExactSums(GgmlType type) {
        Parallel.setThreads(2);
        Random random = new Random(9);
        int n = 300, k = 4096, m = 9; // tiles of 256 rows: one whole, one part
        QuantizedMatrix w = matrix(type, n, k, random);
        float[] dense = Dequantize.matrix(w);
        float[] x = gaussian(m * k, random), bias = gaussian(n, random), y = new float[2 + m * n];
        QuantizedMatmul.xwt(x, 0, w, bias, y, 2, m);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double exact = bias[j], magnitude = Math.abs(bias[j]);
                for (int p = 0; p < k; p++) {
                    exact += (double) dense[j * k + p] * x[i * k + p];
                    magnitude += Math.abs((double) dense[j * k + p] * x[i * k + p]);
                }
                assertThat((double) y[2 + i * n + j]).as("%s y[%d, %d]", type, i, j).isCloseTo(exact, Offset.offset(REL * magnitude));
            }
        }
        assertThat(y[0]).isZero();
        float[] dy = gaussian(m * n, random), dx = gaussian(m * k, random), before = dx.clone();
        QuantizedMatmul.dyw(dy, 0, w, dx, 0, m);
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p += 7) {
                double exact = before[i * k + p], magnitude = Math.abs(before[i * k + p]);
                for (int j = 0; j < n; j++) {
                    exact += (double) dy[i * n + j] * dense[j * k + p];
                    magnitude += Math.abs((double) dy[i * n + j] * dense[j * k + p]);
                }
                assertThat((double) dx[i * k + p]).as("%s dx[%d, %d]", type, i, p).isCloseTo(exact, Offset.offset(REL * magnitude));
            }
        }
    }
}
