package dev.jllm.kernels.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.io.gguf.GgufFile;
import dev.jllm.io.gguf.GgufTestFiles;
import dev.jllm.kernels.Parallel;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The quantized matrix-vector product against float64 sums over the dequantized weights. The bound: every output
 * within {@value #REL} · Σ_k |w_jk · x_k| of the exact sum. Float32 summation of K terms in a few chains errs by
 * at most about K/chains · 2⁻²⁴ of that (K ≤ 4096 here), so 1e-5 leaves room and still catches a wrong lane or scale.
 */
class QuantizedGemvTest {

    static final double REL = 1e-5;

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @ParameterizedTest
    @EnumSource(GgmlType.class)
    void randomBlocksFromTheGoldenFile(GgmlType type) throws IOException {
        try (GgufFile f = GgufFile.open(GgufTestFiles.types())) {
            check(f.matrix("deq." + type), new Random(3));
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q4_K", "Q5_K", "Q6_K"})
    void quantizedRandomMatricesOnTwoThreads(GgmlType type) {
        Parallel.setThreads(2);
        Random random = new Random(11);
        int rows = 67, cols = 4096;
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) random.nextGaussian() * 0.05f;
        check(Quantize.matrix(w, rows, cols, type), random);
    }

    private static void check(QuantizedMatrix m, Random random) {
        float[] dense = Dequantize.matrix(m);
        int k = m.cols(), n = m.rows(), xOff = 3;
        float[] x = new float[xOff + k];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        float[] y = new float[n + 2];
        QuantizedGemv.multiply(m, x, xOff, y, 1);
        float[] sums = QuantizedGemv.needsBlockSums(m.type()) ? QuantizedGemv.blockSums(x, xOff, k) : null;
        for (int j = 0; j < n; j++) {
            double exact = 0, magnitude = 0;
            for (int p = 0; p < k; p++) {
                exact += (double) dense[j * k + p] * x[xOff + p];
                magnitude += Math.abs((double) dense[j * k + p] * x[xOff + p]);
            }
            assertThat((double) y[1 + j]).as("%s row %d", m.type(), j).isCloseTo(exact, org.assertj.core.data.Offset.offset(REL * magnitude + 1e-30));
            float scalar = QuantizedGemv.scalarDot(m.type(), m.data(), m.rowOffset(j), x, xOff, k);
            assertThat((double) scalar).isCloseTo(exact, org.assertj.core.data.Offset.offset(REL * magnitude + 1e-30));
            float direct = QuantizedGemv.dot(m.type(), m.data(), m.rowOffset(j), x, xOff, k, sums);
            if (m.type() == GgmlType.BF16) { // multiply takes kernels/Bf16's product: another order of the same sum
                assertThat((double) direct).isCloseTo(exact, org.assertj.core.data.Offset.offset(REL * magnitude + 1e-30));
            } else {
                assertThat(direct).isEqualTo(y[1 + j]);
            }
        }
        assertThat(y[0]).isZero();
        assertThat(y[n + 1]).isZero();
    }
}
