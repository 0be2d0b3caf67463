package dev.jllm.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Every register tile, in every training layout, against the plain loops of {@link ScalarMatMul} on ragged
 * shapes: run in the test JVM by {@link TileTest}, and as a program ({@link #main}) in child JVMs restricted to
 * a narrower ISA, so that the AVX2 code paths are checked on an AVX-512 machine too.
 */
final class TileCheck {
    private TileCheck() {}

    /** M, K, N: below, at and across tile sizes (up to 14 × 64) and K blocks. */
    static final int[][] SHAPES = {
        {1, 1, 1}, {3, 5, 17}, {14, 9, 64}, {15, 33, 65}, {37, 40, 100}, {5, 70, 129}, {29, 3, 200},
    };

    /** The plans a tile is checked with: its own blocking, and short K blocks and odd groups that split everything. */
    static List<GemmPlan> plans(Tile t) {
        List<GemmPlan> out = new ArrayList<>();
        out.add(GemmPlan.forTile(t));
        out.add(new GemmPlan(t, 7, 1));
        out.add(new GemmPlan(t, 16, 3));
        return out;
    }

    /** Checks every shape and layout with every plan of {@code t}; returns the number of products checked. */
    static int check(Tile t) {
        int checked = 0;
        for (GemmPlan plan : plans(t)) {
            for (int[] s : SHAPES) {
                int m = s[0], k = s[1], n = s[2];
                SplittableRandom r = new SplittableRandom(31L * m + 7L * k + n + t.ordinal());
                float[] x = rand(r, m * k), w = rand(r, n * k), bias = rand(r, n), dy = rand(r, m * n);
                float[] y = new float[m * n], want = new float[m * n];
                MatMul.xwt(plan, x, 0, w, 0, bias, y, 0, m, k, n);
                ScalarMatMul.xwt(x, 0, w, 0, bias, want, 0, m, k, n);
                compare("xwt", plan, s, y, want, k);
                float[] dx = rand(r, m * k), dxWant = dx.clone();
                MatMul.dyw(plan, dy, 0, w, 0, dx, 0, m, n, k);
                ScalarMatMul.dyw(dy, 0, w, 0, dxWant, 0, m, n, k);
                compare("dyw", plan, s, dx, dxWant, n);
                float[] dw = rand(r, n * k), dwWant = dw.clone();
                MatMul.dytx(plan, dy, 0, x, 0, dw, 0, m, n, k);
                ScalarMatMul.dytx(dy, 0, x, 0, dwWant, 0, m, n, k);
                compare("dytx", plan, s, dw, dwWant, m);
                checked += 3;
            }
        }
        return checked;
    }

    private static void compare(String layout, GemmPlan plan, int[] shape, float[] got, float[] want, int terms) {
        float tol = 1e-5f * (terms + 1) + 1e-6f;
        for (int i = 0; i < got.length; i++) {
            if (!(Math.abs(got[i] - want[i]) <= tol)) {
                throw new AssertionError(layout + " M=" + shape[0] + " K=" + shape[1] + " N=" + shape[2] + " with "
                        + plan.spec() + " (" + MicroKernel.V + " lanes): element " + i + " is " + got[i] + ", want "
                        + want[i]);
            }
        }
    }

    private static float[] rand(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextDouble(-1, 1);
        return a;
    }

    /**
     * Checks every tile, then runs the tuning measurement over this JVM's candidates (briefly) and prints
     * "lanes L, registers R, candidates [..], chose T, N products checked"; exits 1 on the first mismatch.
     */
    public static void main(String[] args) {
        try {
            int checked = 0;
            for (Tile t : Tile.values()) checked += check(t);
            List<Tile> candidates = GemmTuning.candidates(GemmTuning.vectorRegisters());
            GemmTuning.Choice c = GemmTuning.measure(candidates, 200_000L);
            System.out.println("lanes " + MicroKernel.V + ", registers " + GemmTuning.vectorRegisters() + ", candidates "
                    + candidates + ", chose " + c.plan().spec() + ", " + checked + " products checked");
        } catch (AssertionError e) {
            System.out.println("FAILED: " + e.getMessage());
            System.exit(1);
        }
    }
}
