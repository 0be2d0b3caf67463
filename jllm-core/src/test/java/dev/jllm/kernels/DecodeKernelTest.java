package dev.jllm.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Decoding's bf16, Q8_0 and Q4_0 matrix-vector loops at ragged sizes, here and compiled for 256-bit vectors. */
class DecodeKernelTest {

    @Test
    void bf16ArrayAndSegmentLoopsAndQuantizedLoopsMatchTheFloat64Reference() {
        assertThat(DecodeKernelCheck.check()).isEqualTo(expectedProducts());
    }

    /** The same checks in a child JVM whose vectors are at most 256 bits (AVX2-width code on an AVX-512 machine). */
    @Test
    void theSameInAJvmWith256BitVectors() throws Exception {
        assumeTrue(System.getProperty("os.arch", "").matches("amd64|x86_64"), "x86 only: the flag is HotSpot's x86 flag");
        assumeTrue(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() > 8, "this CPU's vectors are 256 bits or narrower already");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:MaxVectorSize=32", "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                DecodeKernelCheck.class.getName())).redirectErrorStream(true).start();
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) p.destroyForcibly();
        assertThat(done).as("child JVM finished").isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("floats per vector 8, " + expectedProducts() + " products checked");
    }

    private static int expectedProducts() {
        return 2 * (3 * DecodeKernelCheck.BF16_SHAPES.length + 2 * 2 * DecodeKernelCheck.QUANT_SHAPES.length);
    }
}
