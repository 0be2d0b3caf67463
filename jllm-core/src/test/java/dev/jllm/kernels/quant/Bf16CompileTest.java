package dev.jllm.kernels.quant;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * The bf16 dot product run long enough for C2 to compile it, its result checked against plain floats. (C2 of JDK
 * 25.0.3 once aborted the JVM compiling QuantizedGemv's former bf16 loader, which widened shorts with an int species
 * derived from the float one; GGUF bf16 rows now go through Bf16's kernel, whose int species is a constant of its
 * own. This loop did not reproduce that crash alone; it checks the compiled code's result.)
 */
class Bf16CompileTest {

    @Test
    void theCompiledBf16DotProductMatchesPlainFloats() {
        int k = 256;
        float[] x = new float[k];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = arena.allocate(2L * k);
            double expected = 0;
            for (int i = 0; i < k; i++) {
                x[i] = (i % 7) - 3;
                short bits = (short) (Float.floatToIntBits((i % 5) * 0.5f - 1f) >>> 16);
                w.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2L * i, bits);
                expected += Float.intBitsToFloat(bits << 16) * x[i];
            }
            float r = 0;
            for (int rep = 0; rep < 200_000; rep++) r = QuantizedGemv.dot(GgmlType.BF16, w, 0, x, 0, k, null);
            assertThat((double) r).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-3));
        }
    }
}
