package dev.jllm.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan's cache file, its parsing, the candidate tiles per ISA, and the peak measurement (no timing asserts). */
class GemmTuningTest {

    @TempDir
    Path dir;

    @Test
    void aWrittenChoiceIsReadBack() {
        Path file = dir.resolve("sub/gemm-x.properties");
        GemmPlan plan = new GemmPlan(Tile.R8x2, 512, 3);
        GemmTuning.write(file, new GemmTuning.Choice(plan, "measured", Map.of("8x2", 201.5, "4x2", 180.0)));
        GemmTuning.Choice back = GemmTuning.read(file);
        assertThat(back).isNotNull();
        assertThat(back.plan()).isEqualTo(plan);
        assertThat(back.tileGflops()).containsEntry("8x2", 201.5).containsEntry("4x2", 180.0);
        assertThat(back.source()).contains(file.toString());
        try (var files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("gemm-x.properties");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aCorruptFileIsIgnoredWithOneWarning() throws Exception {
        Path file = dir.resolve("gemm-y.properties");
        GemmTuning.write(file, new GemmTuning.Choice(new GemmPlan(Tile.R6x3, 768, 2), "measured", Map.of()));
        String good = Files.readString(file);
        for (String bad : List.of(good.replace("plan=6x3,768,2", "plan=banana"), good.replace("plan=6x3,768,2", ""),
                good.replaceAll("(?m)^tile.*$", "") + "tile.8x2=fast\n")) {
            Files.writeString(file, bad);
            String err = stderrOf(() -> assertThat(GemmTuning.read(file)).isNull());
            assertThat(err).startsWith("jllm: warning: ignoring the corrupt kernel tuning file").contains(file.toString());
            assertThat(err.lines().count()).isEqualTo(1);
        }
        Files.write(file, new byte[] {(byte) 0xff, 0, 'p', 'l', 'a', 'n', '=', (byte) 0xc3});
        assertThat(stderrOf(() -> assertThat(GemmTuning.read(file)).isNull())).contains("corrupt");
    }

    @Test
    void anotherMachinesFileOrNoFileIsNotUsed() throws Exception {
        Path file = dir.resolve("gemm-z.properties");
        assertThat(GemmTuning.read(file)).isNull();
        Files.writeString(file, "machine=some other CPU\nplan=8x2,768,4\n");
        assertThat(stderrOf(() -> assertThat(GemmTuning.read(file)).isNull())).isEmpty();
    }

    @Test
    void plansParseOnlyTheirOwnForm() {
        assertThat(GemmPlan.parse("8x2,768,4")).isEqualTo(new GemmPlan(Tile.R8x2, 768, 4));
        assertThat(GemmPlan.parse(" 6x4 , 384 , 2 ")).isEqualTo(new GemmPlan(Tile.R6x4, 384, 2));
        for (String bad : List.of("", "8x2", "9x9,768,4", "8x2,0,4", "8x2,768,-1", "8x2,x,4", "8x2,768,4,1")) {
            assertThat(GemmPlan.parse(bad)).as(bad).isNull();
        }
        for (Tile t : Tile.values()) assertThat(GemmPlan.parse(GemmPlan.forTile(t).spec())).isEqualTo(GemmPlan.forTile(t));
    }

    @Test
    void candidatesFitTheRegisterFile() {
        assertThat(GemmTuning.candidates(16)).contains(Tile.R4x2, Tile.R3x3, Tile.R2x4).doesNotContain(Tile.R8x2, Tile.R6x4);
        assertThat(GemmTuning.candidates(32)).contains(Tile.R4x2, Tile.R8x2, Tile.R12x2, Tile.R6x3, Tile.R6x4)
                .doesNotContain(Tile.R14x2);
    }

    @Test
    void blockingRulesKeepTheSliverInL1AndTheGroupInL2() {
        for (Tile t : Tile.values()) {
            GemmPlan p = GemmPlan.forTile(t);
            assertThat(t.rows * p.kc() * 4).isLessThanOrEqualTo(48 << 10);
            assertThat((long) p.group() * t.columns() * p.kc() * 4).isLessThanOrEqualTo(512 << 10);
        }
    }

    @Test
    void narrowProductsThatPanelsDoNotDivideTakeTheTwoVectorTile() {
        int v = MicroKernel.V;
        GemmPlan wide = new GemmPlan(Tile.R6x3, 768, 2);
        assertThat(wide.forWidth(4 * v)).isEqualTo(new GemmPlan(Tile.R6x2, 768, 3)); // 64 of 48-wide panels
        assertThat(wide.forWidth(3 * v)).isSameAs(wide);                             // divides
        assertThat(wide.forWidth(100 * v)).isSameAs(wide);                           // wide: padding is small
        assertThat(wide.forWidth(5)).isSameAs(wide);                                 // 2-vector panels do not divide either
        assertThat(new GemmPlan(Tile.R3x3, 768, 2).forWidth(4 * v).tile()).isEqualTo(Tile.R3x3); // no 3x2 tile
        assertThat(new GemmPlan(Tile.R8x2, 768, 4).forWidth(3 * v).tile()).isEqualTo(Tile.R8x2);
    }

    @Test
    void measuringPicksOneOfTheCandidates() {
        List<Tile> some = List.of(Tile.R4x2, Tile.R3x3);
        GemmTuning.Choice c = GemmTuning.measure(some, 100_000L);
        assertThat(some).contains(c.plan().tile());
        assertThat(c.tileGflops()).containsKeys("4x2", "3x3"); // and whole-product figures when both are close
        assertThat(c.tileGflops().keySet()).isSubsetOf("4x2", "3x3", "4x2 product", "3x3 product");
        assertThat(c.tileGflops().values()).allMatch(g -> g > 0);
    }

    @Test
    void wholeProductsPickTheFasterPlanOfTheShortlist() {
        java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
        GemmPlan pick = GemmTuning.measureProducts(List.of(Tile.R4x2, Tile.R2x4), 100_000L, out);
        assertThat(out).containsOnlyKeys("4x2", "2x4");
        assertThat(out.values()).allMatch(g -> g > 0);
        double g42 = out.get("4x2"), g24 = out.get("2x4");
        assertThat(pick).isEqualTo(GemmPlan.forTile(GemmTuning.pick(List.of(Tile.R4x2, Tile.R2x4), new double[] {g42, g24})));
    }

    @Test
    void theFastestPlanWinsAndATieGoesToTheFewestLoadsPerFma() {
        List<Tile> tiles = List.of(Tile.R12x2, Tile.R8x3, Tile.R6x4);
        assertThat(GemmTuning.loadsPerFma(Tile.R6x4)).isLessThan(GemmTuning.loadsPerFma(Tile.R8x3));
        assertThat(GemmTuning.loadsPerFma(Tile.R8x3)).isLessThan(GemmTuning.loadsPerFma(Tile.R12x2));
        assertThat(GemmTuning.pick(tiles, new double[] {180, 195, 185})).isEqualTo(Tile.R8x3);  // 6x4 5 % behind
        assertThat(GemmTuning.pick(tiles, new double[] {180, 195, 190})).isEqualTo(Tile.R6x4);  // 2.6 %: a tie
        assertThat(GemmTuning.pick(tiles, new double[] {200, 195, 150})).isEqualTo(Tile.R8x3);  // 12x2 ties, loads more
        assertThat(GemmTuning.pick(tiles, new double[] {210, 195, 150})).isEqualTo(Tile.R12x2); // 12x2 7 % ahead
    }

    @Test
    void productFiguresSurviveTheCache(@TempDir Path dir) {
        Path file = dir.resolve("gemm-p.properties");
        GemmTuning.write(file, new GemmTuning.Choice(new GemmPlan(Tile.R8x3, 768, 2), "measured",
                java.util.Map.of("8x3", 220.0, "8x3" + GemmTuning.PRODUCT, 190.5)));
        assertThat(GemmTuning.read(file).tileGflops()).containsEntry("8x3", 220.0).containsEntry("8x3 product", 190.5);
    }

    @Test
    void theActivePlanIsDescribed() {
        assertThat(GemmTuning.describe()).contains("tile ").contains("K blocks of");
        assertThat(GemmTuning.machineKey()).contains(MicroKernel.S.vectorBitSize() + "-bit").contains(Runtime.version().toString());
    }

    @Test
    void peakIsMeasuredOnRegisters() {
        FmaPeak.Peak p = FmaPeak.measure(1);
        assertThat(p.gflops()).isPositive();
        assertThat(p.fmaUnits()).isPositive();
        assertThat(p.lanes()).isEqualTo(MicroKernel.V);
        assertThat(p.toString()).contains("FMA units").contains("GHz");
    }

    private static String stderrOf(Runnable body) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
