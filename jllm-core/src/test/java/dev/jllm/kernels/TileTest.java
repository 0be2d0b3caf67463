package dev.jllm.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Every register tile against the reference here, and in child JVMs that compile for a narrower ISA. */
class TileTest {

    @ParameterizedTest(name = "tile {0}")
    @EnumSource(Tile.class)
    void everyTileMatchesTheReferenceInEveryLayout(Tile tile) {
        assertThat(TileCheck.check(tile)).isEqualTo(3 * 3 * TileCheck.SHAPES.length);
    }

    /**
     * The same checks, plus the tuning measurement, in a JVM restricted to AVX2 (16 registers of 8 floats), to
     * AVX-512 instructions on 256-bit vectors, and to 128-bit vectors: the code paths of Zen 3 and older Intel
     * cores run here on an AVX-512 machine too.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "-XX:UseAVX=2, 8, 16",
        "-XX:MaxVectorSize=32, 8, ",
        "-XX:UseAVX=2 -XX:MaxVectorSize=16, 4, 16",
    })
    void narrowerIsaChildJvmRunsEveryTile(String flags, int lanes, Integer registers) throws Exception {
        assumeTrue(System.getProperty("os.arch", "").matches("amd64|x86_64"), "x86 only: the flags are HotSpot's x86 flags");
        assumeTrue(MicroKernel.V >= lanes, "this CPU's vectors are narrower than " + lanes + " lanes already");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(flags.split(" ")));
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "-Djllm.gemm=4x2,768,4",
                "-cp", System.getProperty("java.class.path"), TileCheck.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) p.destroyForcibly();
        assertThat(done).as("child JVM finished").isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("lanes " + lanes + ",").contains(Tile.values().length * 3 * 3 * TileCheck.SHAPES.length
                + " products checked");
        if (registers != null) assertThat(out).contains("registers " + registers + ",");
    }
}
