package dev.jllm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The packs of {@link Gemm}: the copies of A and B in the order the {@link MicroKernel} reads them.
 *
 * <p>An A sliver holds, for each p of the K block, the MR values A(row..row+MR, p) side by side; a B panel holds,
 * for each p, the NR values B(p, col..col+NR). Where the source runs along the other index (X or dY rows read
 * across p for A; W read as Wᵀ for B) the pack is a transpose ({@link #transpose}: scalar, four source lines at a
 * time). Copies without a transpose move whole vectors instead of calling {@code System.arraycopy} for a few
 * floats; ragged slivers and panels take the scalar loops.
 */
final class GemmPack {
    private GemmPack() {}

    private static final VectorSpecies<Float> S = MicroKernel.S;
    private static final int V = MicroKernel.V;

    /**
     * A sliver from rows of A contiguous along p: {@code dst[d + p·mr + r] = a[src + r·rs + p]} for r < rows,
     * 0 for rows ≤ r < mr, p < kc.
     */
    static void sliverAcross(float[] a, int src, int rs, int rows, int mr, int kc, float[] dst, int d) {
        transpose(a, src, rs, rows, mr, kc, dst, d);
    }

    /**
     * A sliver from columns of A contiguous along the rows (A viewed transposed, dYᵀ): {@code dst[d + p·mr + r] =
     * a[src + p·ps + r]} for r < rows, 0 for rows ≤ r < mr, p < kc.
     */
    static void sliverAlong(float[] a, int src, int ps, int rows, int mr, int kc, float[] dst, int d) {
        if (rows == mr) {
            int whole = mr / V * V, rest = mr - whole;
            if (rest % 4 == 0 && (rest == 0 || V > rest)) {
                // whole vectors, then unmasked half and quarter vectors (an 8- or 12-row sliver with 16 lanes), in
                // one pass over p: one masked vector per p took three times as long (1.05 against 0.35 ns per
                // float on Zen 5, dY of the 50257-wide head; dYᵀ·X 4 % faster with 8 × 3 in the same JVM)
                int half = rest >= 8 ? 8 : 0, quarter = rest - half;
                for (int p = 0; p < kc; p++) {
                    int from = src + p * ps, at = d + p * mr;
                    for (int r = 0; r < whole; r += V) FloatVector.fromArray(S, a, from + r).intoArray(dst, at + r);
                    if (half != 0) FloatVector.fromArray(FloatVector.SPECIES_256, a, from + whole).intoArray(dst, at + whole);
                    if (quarter != 0) {
                        FloatVector.fromArray(FloatVector.SPECIES_128, a, from + whole + half).intoArray(dst, at + whole + half);
                    }
                }
                return;
            }
            // 6 or 14 rows: a masked vector per p (quarters and single floats instead measured 3 % slower with 6 × 4)
            for (int r = 0; r < mr; r += V) {
                VectorMask<Float> m = S.indexInRange(0, Math.min(V, mr - r));
                for (int p = 0; p < kc; p++) FloatVector.fromArray(S, a, src + p * ps + r, m).intoArray(dst, d + p * mr + r, m);
            }
            return;
        }
        for (int p = 0; p < kc; p++) {
            for (int r = 0; r < mr; r++) dst[d + p * mr + r] = r < rows ? a[src + p * ps + r] : 0f;
        }
    }

    /**
     * A panel from rows of B contiguous along the columns: {@code dst[d + p·nr + j] = b[src + p·ps + j]} for
     * j < cols, 0 for cols ≤ j < nr, p < kc.
     */
    static void panelAlong(float[] b, int src, int ps, int cols, int nr, int kc, float[] dst, int d) {
        if (cols == nr) {
            for (int p = 0; p < kc; p++) {
                for (int j = 0; j < nr; j += V) FloatVector.fromArray(S, b, src + p * ps + j).intoArray(dst, d + p * nr + j);
            }
            return;
        }
        for (int p = 0; p < kc; p++) {
            System.arraycopy(b, src + p * ps, dst, d + p * nr, cols);
            for (int j = cols; j < nr; j++) dst[d + p * nr + j] = 0f;
        }
    }

    /**
     * A panel from columns of B contiguous along p (B = Wᵀ, W [N, K] row-major): {@code dst[d + p·nr + j] =
     * b[src + j·js + p]} for j < cols, 0 for cols ≤ j < nr, p < kc.
     */
    static void panelAcross(float[] b, int src, int js, int cols, int nr, int kc, float[] dst, int d) {
        transpose(b, src, js, cols, nr, kc, dst, d);
    }

    /**
     * The transposing copy of both packs: {@code dst[d + p·width + i] = a[src + i·stride + p]} for i < count,
     * 0 for count ≤ i < width, p < kc. Four source lines at a time, read along p while the four values of one p
     * are stored side by side: 0.30 ns per float on Zen 5 (one thread, JDK 25, sources of 1.5–150 MB), where
     * the scalar loop of one source line at a time took 0.42–0.55 ns and register transposes by two-vector
     * interleaves ({@code rearrange(shuffle, v)}) 0.7–1.9 ns, and over ten times that whenever C2 had not
     * intrinsified the shuffles (a seventh of X·Wᵀ's time at M = 512 in a profile).
     */
    static void transpose(float[] a, int src, int stride, int count, int width, int kc, float[] dst, int d) {
        int i = 0;
        for (; i + 4 <= count; i += 4) {
            int s0 = src + i * stride, s1 = s0 + stride, s2 = s1 + stride, s3 = s2 + stride;
            for (int p = 0, at = d + i; p < kc; p++, at += width) {
                dst[at] = a[s0 + p];
                dst[at + 1] = a[s1 + p];
                dst[at + 2] = a[s2 + p];
                dst[at + 3] = a[s3 + p];
            }
        }
        for (; i < count; i++) {
            int s0 = src + i * stride;
            for (int p = 0, at = d + i; p < kc; p++, at += width) dst[at] = a[s0 + p];
        }
        for (; i < width; i++) {
            for (int p = 0, at = d + i; p < kc; p++, at += width) dst[at] = 0f;
        }
    }
}
