package dev.jllm.kernels;

/**
 * How {@link Gemm} runs on this machine: the register tile, the block along K and the B panels a thread packs
 * together. Chosen once per JVM by {@link GemmTuning} (measured at first use and cached per CPU and JDK, or set
 * with {@code -Djllm.gemm=TILE,KC,GROUP}).
 *
 * @param tile  the register tile of {@link MicroKernel}
 * @param kc    the block along K: one packed A sliver (rows·kc floats) stays in L1 while it meets a group
 * @param group B panels packed together by one thread: group·columns·kc floats stay in L2
 */
record GemmPlan(Tile tile, int kc, int group) {
    GemmPlan {
        if (tile == null || kc < 1 || group < 1) throw new IllegalArgumentException("bad plan " + tile + " " + kc + " " + group);
    }

    /** The plan of this JVM (chosen on first use). */
    static GemmPlan active() {
        return GemmTuning.choice().plan();
    }

    /**
     * The blocking for {@code tile}, by rules measured on Zen 4 and Zen 5 (see BENCHMARKS.md): K blocks of 768
     * while the A sliver fits half of a 48 KiB L1 (3 to 8 rows), 384 above; groups of B panels of at most
     * 384 KiB (half of the smallest L2 of these machines, 1 MiB per core on Zen 4 and Zen 5).
     */
    static GemmPlan forTile(Tile tile) {
        int kc = tile.rows * 768 * Float.BYTES <= 24 << 10 ? 768 : 384;
        int group = Math.max(1, (384 << 10) / (tile.columns() * kc * Float.BYTES));
        return new GemmPlan(tile, kc, group);
    }

    /**
     * The plan for a product N columns wide: this one, or for a narrow N that its panels do not divide (attention's
     * heads of 64 against 48-column panels of a 3-vector tile: a third of the flops on padding) the 2-vector tile
     * of as many rows, when there is one, whose panels divide N.
     */
    GemmPlan forWidth(int n) {
        if (tile.vectors == 2 || n % tile.columns() == 0 || n > 4 * tile.columns()) return this;
        Tile narrow = Tile.parse(tile.rows + "x2");
        if (narrow == null || n % narrow.columns() != 0) return this;
        return new GemmPlan(narrow, kc, group * tile.vectors / 2);
    }

    /** "8x2,768,4": the form of {@code -Djllm.gemm} and of the tuning cache. */
    String spec() {
        return tile + "," + kc + "," + group;
    }

    /** The plan {@link #spec} wrote, or null when {@code s} is not one. */
    static GemmPlan parse(String s) {
        String[] parts = s.trim().split(",");
        if (parts.length != 3) return null;
        Tile t = Tile.parse(parts[0].trim());
        try {
            int kc = Integer.parseInt(parts[1].trim()), group = Integer.parseInt(parts[2].trim());
            return t == null || kc < 1 || group < 1 ? null : new GemmPlan(t, kc, group);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "tile " + tile.rows + " x " + tile.vectors + " vectors (" + tile.rows * tile.vectors
                + " accumulators, " + tile.rows + " x " + tile.columns() + " floats), K blocks of " + kc
                + ", groups of " + group + " B panels";
    }
}
