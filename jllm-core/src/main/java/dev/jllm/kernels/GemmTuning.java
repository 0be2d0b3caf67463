package dev.jllm.kernels;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;

/**
 * Chooses the {@link GemmPlan} of this machine, once per JVM, at the first matrix product:
 * <ol>
 *   <li>{@code -Djllm.gemm=TILE,KC,GROUP} (e.g. {@code 8x2,768,4}) sets it;</li>
 *   <li>else the tuning cache of this CPU model, vector width and JDK is read: {@code gemm-<key>.properties} in
 *       {@code $JLLM_CACHE} or {@code ~/.cache/jllm} ({@code -Djllm.cache.dir} overrides);</li>
 *   <li>else every tile that can fit the register file is measured on packed data in L1/L2 (about half a
 *       second); those within {@value #SHORTLIST} of the fastest are then measured as whole products, with the
 *       blocking of {@link GemmPlan#forTile}, in all three training layouts at a GPT-2 shape (packing, C traffic
 *       and ragged edges included: the tile alone does not see them; on Zen 5 the 12 × 2 tile matched 8 × 3 alone
 *       but lost 8 % in the products); the fastest in total time wins, except that among plans within
 *       {@value #TIE} of it the tile with the fewest vector loads per FMA wins (a tie is noise: 8 × 3 and 6 × 4
 *       took turns on Zen 5), and the result is written to the cache atomically (a temporary file renamed over
 *       it).</li>
 * </ol>
 * A cache file that cannot be read as a plan is ignored with a one-line warning and measured again.
 */
public final class GemmTuning {
    private GemmTuning() {}

    /** Where the plan came from and, when measured, each candidate tile's GFLOP/s on one thread. */
    public record Choice(GemmPlan plan, String source, Map<String, Double> tileGflops) {}

    private static final class Chosen {
        static final Choice CHOICE = choose();
    }

    static Choice choice() {
        return Chosen.CHOICE;
    }

    /** The chosen plan and where it came from, in words (for {@code jllm bench}). */
    public static String describe() {
        Choice c = choice();
        return c.plan() + "; " + c.source();
    }

    /**
     * Each measured candidate tile's GFLOP/s on one thread, alone ("8x3") and, for the shortlist, in whole products
     * ("8x3 product"); empty when the plan was set.
     */
    public static Map<String, Double> tileGflops() {
        return choice().tileGflops();
    }

    /** Vector registers of the ISA the JIT compiles for: 32 with AVX-512 (and on AArch64), 16 with AVX/AVX2. */
    static int vectorRegisters() {
        if (!System.getProperty("os.arch", "").matches("amd64|x86_64")) return 32;
        try {
            HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return Integer.parseInt(hs.getVMOption("UseAVX").getValue()) >= 3 ? 32 : 16;
        } catch (RuntimeException e) {
            return MicroKernel.V >= 16 ? 32 : 16;
        }
    }

    /**
     * The tiles worth measuring here: those whose live registers (accumulators, B vectors, A broadcasts) fit
     * the register file with at most 6 over (C2 does not always keep every broadcast live; 12 × 2 with its 38
     * ran at full speed on Zen 5), and 4 × 2, the tile of earlier versions.
     */
    static List<Tile> candidates(int registers) {
        List<Tile> out = new ArrayList<>();
        for (Tile t : Tile.values()) if (t == Tile.R4x2 || t.registers() <= registers + 6) out.add(t);
        return out;
    }

    private static Choice choose() {
        String set = System.getProperty("jllm.gemm");
        if (set != null && !set.isBlank()) {
            GemmPlan p = GemmPlan.parse(set);
            if (p != null) return new Choice(p, "set by -Djllm.gemm=" + set.trim(), Map.of());
            System.err.println("jllm: warning: ignoring -Djllm.gemm=" + set + " (expected TILE,KC,GROUP such as 8x2,768,4)");
        }
        if (!VectorSupport.ENABLED) return new Choice(GemmPlan.forTile(Tile.R4x2), "unused (scalar loops)", Map.of());
        Path file = cacheFile();
        Choice cached = read(file);
        if (cached != null) return cached;
        Choice measured = measure(candidates(vectorRegisters()), 4_000_000L);
        write(file, measured);
        return new Choice(measured.plan(), "measured at first use, cached in " + file, measured.tileGflops());
    }

    /**
     * Measures each tile on one thread: rounds of about {@code roundNanos} of CPU time each over packed random
     * data (kc = 256, an A sliver in L1 against four B panels in L2), after 20,000 tiny calls that get each tile
     * compiled; two rounds to finish compiling, then the best of four, the tiles taking turns so that a slow
     * stretch of a shared machine hits them all alike. CPU time of this thread, not elapsed time.
     */
    static Choice measure(List<Tile> tiles, long roundNanos) {
        int kc = 256, panels = 4;
        SplittableRandom random = new SplittableRandom(7);
        double[] best = new double[tiles.size()];
        float[][] as = new float[tiles.size()][], bs = new float[tiles.size()][], cs = new float[tiles.size()][];
        for (int i = 0; i < tiles.size(); i++) {
            Tile t = tiles.get(i);
            as[i] = randoms(random, t.rows * kc);
            bs[i] = randoms(random, panels * t.columns() * kc);
            cs[i] = new float[t.rows * panels * t.columns()];
        }
        // Compile first: small calls, enough of them for C2 (interpreted, one call of kc = 256 takes a millisecond)
        for (int i = 0; i < tiles.size(); i++) {
            Tile t = tiles.get(i);
            for (int call = 0; call < 20_000; call++) {
                MicroKernel.tile(t, as[i], 0, bs[i], 0, 2, null, 0, 0, cs[i], 0, panels * t.columns());
            }
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 6; round++) {
            for (int i = 0; i < tiles.size(); i++) {
                Tile t = tiles.get(i);
                int nr = t.columns(), ldc = panels * nr;
                long flops = 0, c0 = mx.getCurrentThreadCpuTime(), ns;
                do {
                    for (int q = 0; q < panels; q++) {
                        MicroKernel.tile(t, as[i], 0, bs[i], q * nr * kc, kc, null, 0, 0, cs[i], q * nr, ldc);
                    }
                    flops += 2L * t.rows * ldc * kc;
                    ns = mx.getCurrentThreadCpuTime() - c0;
                } while (ns < roundNanos);
                if (round >= 2) best[i] = Math.max(best[i], (double) flops / ns);
            }
        }
        Map<String, Double> gflops = new LinkedHashMap<>();
        double top = 0;
        for (int i = 0; i < tiles.size(); i++) {
            gflops.put(tiles.get(i).toString(), Math.round(best[i] * 10) / 10.0);
            top = Math.max(top, best[i]);
        }
        List<Tile> shortlist = new ArrayList<>();
        for (int i = 0; i < tiles.size(); i++) if (best[i] >= SHORTLIST * top) shortlist.add(tiles.get(i));
        Map<String, Double> products = new LinkedHashMap<>();
        GemmPlan pick = measureProducts(shortlist, roundNanos, products);
        products.forEach((t, g) -> gflops.put(t + PRODUCT, g));
        return new Choice(pick, "measured", gflops);
    }

    /** Tiles within this fraction of the fastest tile alone are measured in whole products. */
    static final double SHORTLIST = 0.9;

    /** The suffix of a whole-product figure's key in {@link Choice#tileGflops} ("8x3 product"). */
    static final String PRODUCT = " product";

    /**
     * Measures each tile's plan ({@link GemmPlan#forTile}) in whole products on one thread: X·Wᵀ, dY·W and dYᵀ·X
     * at M = 256, K = N = 768 (rows of a GPT-2 batch of one 256-token sequence, its width), rounds of about
     * three times {@code roundNanos} of CPU time each per plan and layout, the plans taking turns, best of four
     * rounds after small products that get the code compiled and two rounds more. Returns the plan of
     * {@link #pick} and puts each one's GFLOP/s (total flops over total time) into {@code out}.
     */
    static GemmPlan measureProducts(List<Tile> tiles, long roundNanos, Map<String, Double> out) {
        if (tiles.size() == 1) return GemmPlan.forTile(tiles.get(0));
        long productNanos = 3 * roundNanos; // a product of this size takes 1.5 ms: several per round
        int m = 256, k = 768, n = 768;
        SplittableRandom random = new SplittableRandom(11);
        float[] x = randoms(random, m * k), w = randoms(random, n * k), dy = randoms(random, m * n);
        float[] y = new float[m * n], dx = new float[m * k], dw = new float[n * k];
        double[][] best = new double[tiles.size()][3];
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        // inside a parallel loop the products run on the calling thread alone (nested loops run serially)
        Parallel.forRange(Parallel.threads(), (r0, r1) -> {
            if (r0 != 0) return;
            // compile first: the packs and loop nest of every plan, on small products (24 x 32 x 192: full slivers,
            // panels and vectors of p for every tile), or the plans measured first run on code still interpreted
            for (Tile t : tiles) {
                GemmPlan plan = GemmPlan.forTile(t);
                for (int call = 0; call < 300; call++) {
                    MatMul.xwt(plan, x, 0, w, 0, null, y, 0, 24, 32, 192);
                    MatMul.dyw(plan, dy, 0, w, 0, dx, 0, 24, 192, 32);
                    MatMul.dytx(plan, dy, 0, x, 0, dw, 0, 24, 192, 32);
                }
            }
            for (int round = 0; round < PRODUCT_ROUNDS; round++) {
                for (int i = 0; i < tiles.size(); i++) {
                    GemmPlan plan = GemmPlan.forTile(tiles.get(i));
                    for (int layout = 0; layout < 3; layout++) {
                        long calls = 0, c0 = mx.getCurrentThreadCpuTime(), ns;
                        do {
                            switch (layout) {
                                case 0 -> MatMul.xwt(plan, x, 0, w, 0, null, y, 0, m, k, n);
                                case 1 -> MatMul.dyw(plan, dy, 0, w, 0, dx, 0, m, n, k);
                                default -> MatMul.dytx(plan, dy, 0, x, 0, dw, 0, m, n, k);
                            }
                            calls++;
                            ns = mx.getCurrentThreadCpuTime() - c0;
                        } while (ns < productNanos);
                        double gflops = 2.0 * m * k * n * calls / Math.max(1, ns);
                        if (round >= 2) best[i][layout] = Math.max(best[i][layout], gflops);
                    }
                }
            }
        });
        double[] gflops = new double[tiles.size()];
        for (int i = 0; i < tiles.size(); i++) {
            double seconds = 0; // per flop, summed over the layouts
            for (double g : best[i]) seconds += 1 / g;
            gflops[i] = 3 / seconds;
            out.put(tiles.get(i).toString(), Math.round(gflops[i] * 10) / 10.0);
        }
        return GemmPlan.forTile(pick(tiles, gflops));
    }

    /** Rounds of whole products per plan and layout: the first two compile, the best of the others counts. */
    static final int PRODUCT_ROUNDS = 6;

    /** Plans within this fraction of the fastest in whole products are a tie. */
    static final double TIE = 0.03;

    /**
     * The tile of the fastest whole products ({@code gflops[i]} for {@code tiles[i]}), or among those within
     * {@link #TIE} of it the one with the fewest vector loads (B vectors and A broadcasts) per FMA: the same rule
     * on every run, where the measurement alone picked 8 × 3 or 6 × 4 by the noise of the moment.
     */
    static Tile pick(List<Tile> tiles, double[] gflops) {
        double top = 0;
        for (double g : gflops) top = Math.max(top, g);
        Tile pick = null;
        for (int i = 0; i < tiles.size(); i++) {
            if (gflops[i] < (1 - TIE) * top) continue;
            Tile t = tiles.get(i);
            if (pick == null || loadsPerFma(t) < loadsPerFma(pick)) pick = t;
        }
        return pick;
    }

    /** Vector loads per FMA of a tile's k step: (rows broadcasts + vectors loads) / (rows · vectors) FMAs. */
    static double loadsPerFma(Tile t) {
        return (double) (t.rows + t.vectors) / (t.rows * t.vectors);
    }

    private static float[] randoms(SplittableRandom random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) random.nextDouble(-1, 1);
        return a;
    }

    // ---- the cache ----

    /** What a cached plan must match: the CPU model, the vector width and ISA the JIT uses, and the JDK. */
    static String machineKey() {
        return cpuModel() + " | " + MicroKernel.S.vectorBitSize() + "-bit vectors, " + vectorRegisters()
                + " registers | " + System.getProperty("java.vm.vendor", "") + " " + Runtime.version()
                + " | tuned by whole products, ties by loads per FMA"; // plans cached by earlier rules are measured again
    }

    /** The CPU's vendor, family, model and name from /proc/cpuinfo (Linux), else the OS architecture. */
    static String cpuModel() {
        Map<String, String> info = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                int colon = line.indexOf(':');
                if (colon < 0) continue;
                String key = line.substring(0, colon).trim();
                if (key.equals("processor") && !info.isEmpty()) break; // the first core describes them all
                info.putIfAbsent(key, line.substring(colon + 1).trim());
            }
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch", "?");
        }
        String name = info.getOrDefault("model name", System.getProperty("os.arch", "?"));
        if (info.containsKey("cpu family")) {
            name = info.getOrDefault("vendor_id", "") + " family " + info.get("cpu family") + " model "
                    + info.getOrDefault("model", "?") + " " + name;
        }
        return name.trim();
    }

    static Path cacheDir() {
        String dir = System.getProperty("jllm.cache.dir");
        if (dir == null || dir.isBlank()) dir = System.getenv("JLLM_CACHE");
        if (dir == null || dir.isBlank()) return Path.of(System.getProperty("user.home"), ".cache", "jllm");
        return Path.of(dir);
    }

    static Path cacheFile() {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(machineKey().getBytes(StandardCharsets.UTF_8));
            return cacheDir().resolve("gemm-" + HexFormat.of().formatHex(hash, 0, 6) + ".properties");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The cached choice in {@code file}, or null when there is none for this machine (or it is corrupt). */
    static Choice read(Path file) {
        if (!Files.isRegularFile(file)) return null;
        try {
            Properties p = new Properties();
            p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
            if (!machineKey().equals(p.getProperty("machine"))) return null; // another machine's (a hash collision)
            GemmPlan plan = GemmPlan.parse(p.getProperty("plan", ""));
            if (plan == null) throw new IOException("no valid 'plan' line");
            Map<String, Double> gflops = new LinkedHashMap<>();
            for (Tile t : Tile.values()) {
                String v = p.getProperty("tile." + t);
                if (v != null) gflops.put(t.toString(), Double.parseDouble(v));
            }
            for (Tile t : Tile.values()) {
                String v = p.getProperty("product." + t);
                if (v != null) gflops.put(t + PRODUCT, Double.parseDouble(v));
            }
            return new Choice(plan, "read from " + file + " (measured " + p.getProperty("measured", "?") + ")", gflops);
        } catch (IOException | RuntimeException e) {
            System.err.println("jllm: warning: ignoring the corrupt kernel tuning file " + file + " (" + e.getMessage()
                    + "); measuring again");
            return null;
        }
    }

    /** Writes the choice atomically; a cache that cannot be written is skipped (the next run measures again). */
    static void write(Path file, Choice c) {
        StringBuilder s = new StringBuilder();
        s.append("# jllm matrix-product plan for this CPU and JDK, measured at first use; delete to measure again\n");
        s.append("machine=").append(escape(machineKey())).append('\n');
        s.append("measured=").append(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).append('\n');
        s.append("plan=").append(c.plan().spec()).append('\n');
        c.tileGflops().forEach((t, g) -> s.append(t.endsWith(PRODUCT) ? "product." + t.substring(0, t.length() - PRODUCT.length())
                : "tile." + t).append('=').append(String.format(Locale.ROOT, "%.1f", g)).append('\n'));
        Path tmp = null;
        try {
            Files.createDirectories(file.getParent());
            tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            Files.writeString(tmp, s, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            // no cache: measured again next time
        } finally {
            try {
                if (tmp != null) Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // left behind: a dot file, harmless
            }
        }
    }

    /** A value as Properties.load reads it back (backslashes and leading spaces kept). */
    private static String escape(String v) {
        StringBuilder out = new StringBuilder();
        for (char ch : v.toCharArray()) {
            if (ch == '\\' || ch == '=' || ch == ':' || ch == '#' || ch == '!') out.append('\\');
            out.append(ch);
        }
        return out.toString();
    }
}
