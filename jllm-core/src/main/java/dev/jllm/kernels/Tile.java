package dev.jllm.kernels;

/**
 * The register tiles of {@link MicroKernel}: {@code rows} rows of A times {@code vectors} vectors of B, so
 * rows·vectors accumulators. Which one runs is chosen per machine ({@link GemmPlan}).
 *
 * <p>Why there are several: a tile keeps rows·vectors independent FMA chains in flight. A core with one 512-bit
 * FMA unit and a 4-cycle latency (AMD Zen 4) is busy with 4 of them; two units (Intel Xeon, AMD Zen 5) need 8,
 * and more to hide the loads, so the 8-accumulator 4 × 2 tile that fills Zen 4 leaves half of Zen 5 idle. The
 * tile must also fit the register file with its operands: C2 keeps the vectors of B and the broadcasts of A of
 * a k step live beside the accumulators, rows·vectors + rows + vectors registers at most, and it spills an
 * accumulator to the stack when they do not fit (half speed): AVX2 has 16 vector registers, AVX-512 32.
 */
enum Tile {
    R4x2(4, 2), R6x2(6, 2), R8x2(8, 2), R12x2(12, 2), R14x2(14, 2),
    R3x3(3, 3), R4x3(4, 3), R6x3(6, 3), R8x3(8, 3),
    R2x4(2, 4), R4x4(4, 4), R6x4(6, 4);

    /** Rows of A per tile (the height of a packed A sliver). */
    final int rows;
    /** Vectors of B per tile row. */
    final int vectors;

    Tile(int rows, int vectors) {
        this.rows = rows;
        this.vectors = vectors;
    }

    /** Columns of the tile (the width of a packed B panel): vectors × the species' lanes. */
    int columns() {
        return vectors * MicroKernel.V;
    }

    /** Vector registers the tile's k loop keeps live: accumulators, B vectors and A broadcasts. */
    int registers() {
        return rows * vectors + rows + vectors;
    }

    @Override
    public String toString() {
        return rows + "x" + vectors;
    }

    /** The tile named "RxV" (as {@link #toString} writes it), or null. */
    static Tile parse(String name) {
        for (Tile t : values()) if (t.toString().equals(name)) return t;
        return null;
    }
}
