package dev.jllm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The packs of {@link Gemm}: the copies of A and B in the order the {@link MicroKernel} reads them.
 *
 * <p>An A sliver holds, for each p of the K block, the MR values A(row..row+MR, p) side by side; a B panel holds,
 * for each p, the NR values B(p, col..col+NR). Where the source runs along the other index (X or dY rows read
 * across p for A; W read as Wᵀ for B) the pack is a transpose: it is done in blocks of R rows × one vector of p
 * in registers, by log2(R) rounds of interleaving pairs of vectors (two-vector permutes), and stored as whole
 * vectors (a sliver of 2, 4 or 8 rows: five times faster per element than the scalar loop on AVX-512, three times
 * on AVX2) or half vectors (a panel: 8 columns at a time; about twice as fast). Copies without a
 * transpose move whole vectors instead of calling {@code System.arraycopy} for a few floats. Ragged slivers and
 * panels, K tails shorter than a vector, and sliver heights that are not a power of two take the scalar loops.
 */
final class GemmPack {
    private GemmPack() {}

    private static final VectorSpecies<Float> S = MicroKernel.S;
    private static final int V = MicroKernel.V;

    /** The lower and upper half of a vector. */
    private static final VectorMask<Float> LOWER = S.indexInRange(0, V / 2), UPPER = LOWER.not();

    /** Interleave lanes: LO takes lanes 0..V/2 of x and y alternately, HI lanes V/2..V. */
    private static final VectorShuffle<Float> LO, HI;

    static {
        int[] lo = new int[V], hi = new int[V];
        for (int i = 0; i < V / 2; i++) {
            lo[2 * i] = i;
            lo[2 * i + 1] = i - V; // an exceptional index: lane i of the second vector
            hi[2 * i] = V / 2 + i;
            hi[2 * i + 1] = V / 2 + i - V;
        }
        LO = VectorShuffle.fromArray(S, lo, 0);
        HI = VectorShuffle.fromArray(S, hi, 0);
    }

    /** Whether the vector paths run (the tests switch them off to compare against the scalar loops). */
    static volatile boolean vectors = true;

    /**
     * A sliver from rows of A contiguous along p: {@code dst[d + p·mr + r] = a[src + r·rs + p]} for r < rows,
     * 0 for rows ≤ r < mr, p < kc.
     */
    static void sliverAcross(float[] a, int src, int rs, int rows, int mr, int kc, float[] dst, int d) {
        int p = 0;
        if (vectors && rows == mr) {
            switch (mr) {
                case 2 -> { for (; p + V <= kc; p += V) transpose2(a, src + p, rs, dst, d + p * mr); }
                case 4 -> { for (; p + V <= kc; p += V) transpose4(a, src + p, rs, dst, d + p * mr); }
                case 8 -> { for (; p + V <= kc; p += V) transpose8(a, src + p, rs, dst, d + p * mr, V, false); }
                default -> { }
            }
        }
        for (int r = 0; r < mr; r++) {
            if (r < rows) {
                for (int q = p, s = src + r * rs; q < kc; q++) dst[d + q * mr + r] = a[s + q];
            } else {
                for (int q = p; q < kc; q++) dst[d + q * mr + r] = 0f;
            }
        }
    }

    /**
     * A sliver from columns of A contiguous along the rows (A viewed transposed, dYᵀ): {@code dst[d + p·mr + r] =
     * a[src + p·ps + r]} for r < rows, 0 for rows ≤ r < mr, p < kc.
     */
    static void sliverAlong(float[] a, int src, int ps, int rows, int mr, int kc, float[] dst, int d) {
        if (vectors && rows == mr) {
            for (int r = 0; r < mr; r += V) {
                int lanes = Math.min(V, mr - r);
                if (lanes == V) {
                    for (int p = 0; p < kc; p++) FloatVector.fromArray(S, a, src + p * ps + r).intoArray(dst, d + p * mr + r);
                } else {
                    VectorMask<Float> m = S.indexInRange(0, lanes);
                    for (int p = 0; p < kc; p++) {
                        FloatVector.fromArray(S, a, src + p * ps + r, m).intoArray(dst, d + p * mr + r, m);
                    }
                }
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
        if (vectors && cols == nr) {
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
        int j = 0;
        if (vectors && (V == 8 || V == 16)) { // blocks of 8 columns × one vector of p
            for (; j + 8 <= cols; j += 8) {
                int p = 0;
                for (; p + V <= kc; p += V) {
                    transpose8(b, src + j * js + p, js, dst, d + p * nr + j, nr, V == 16);
                }
                for (int jj = j; jj < j + 8; jj++) {
                    for (int q = p, s = src + jj * js; q < kc; q++) dst[d + q * nr + jj] = b[s + q];
                }
            }
        }
        for (; j + 4 <= cols; j += 4) { // four columns at a time, each read along p
            int s0 = src + j * js, s1 = s0 + js, s2 = s1 + js, s3 = s2 + js;
            for (int p = 0, at = d + j; p < kc; p++, at += nr) {
                dst[at] = b[s0 + p];
                dst[at + 1] = b[s1 + p];
                dst[at + 2] = b[s2 + p];
                dst[at + 3] = b[s3 + p];
            }
        }
        for (; j < nr; j++) {
            int s = src + j * js;
            for (int p = 0; p < kc; p++) dst[d + p * nr + j] = j < cols ? b[s + p] : 0f;
        }
    }

    // ---- register transposes: R rows of one vector each, log2(R) interleaving rounds ----
    // After the rounds, vector t holds elements [t·V, t·V + V) of the block in p-major order (index p·R + r).

    private static FloatVector lo(FloatVector x, FloatVector y) {
        return x.rearrange(LO, y);
    }

    private static FloatVector hi(FloatVector x, FloatVector y) {
        return x.rearrange(HI, y);
    }

    /** 2 rows × V values of p: stores V·2 floats contiguous at d. */
    private static void transpose2(float[] a, int src, int rs, float[] dst, int d) {
        FloatVector r0 = FloatVector.fromArray(S, a, src), r1 = FloatVector.fromArray(S, a, src + rs);
        lo(r0, r1).intoArray(dst, d);
        hi(r0, r1).intoArray(dst, d + V);
    }

    /** 4 rows × V values of p: stores V·4 floats contiguous at d. */
    private static void transpose4(float[] a, int src, int rs, float[] dst, int d) {
        FloatVector r0 = FloatVector.fromArray(S, a, src), r1 = FloatVector.fromArray(S, a, src + rs),
                r2 = FloatVector.fromArray(S, a, src + 2 * rs), r3 = FloatVector.fromArray(S, a, src + 3 * rs);
        for (int round = 0; round < 2; round++) {
            FloatVector o0 = lo(r0, r2), o1 = hi(r0, r2), o2 = lo(r1, r3), o3 = hi(r1, r3);
            r0 = o0; r1 = o1; r2 = o2; r3 = o3;
        }
        r0.intoArray(dst, d);
        r1.intoArray(dst, d + V);
        r2.intoArray(dst, d + 2 * V);
        r3.intoArray(dst, d + 3 * V);
    }

    /**
     * 8 rows × V values of p. Whole vectors ({@code split} false): vector t stored at d + t·stride (stride V: the
     * 8·V floats contiguous; with V = 8 and stride NR: row p = t of a panel). Split (V = 16, a panel NR = stride
     * wide): vector t holds rows 2t and 2t+1 of the block, its halves stored at d + 2t·NR and d + (2t+1)·NR. (A
     * 16-row transpose would store whole vectors there, but its 32 live vectors do not stay in registers: ten times
     * slower than the split one.)
     */
    private static void transpose8(float[] a, int src, int rs, float[] dst, int d, int stride, boolean split) {
        FloatVector r0 = FloatVector.fromArray(S, a, src), r1 = FloatVector.fromArray(S, a, src + rs),
                r2 = FloatVector.fromArray(S, a, src + 2 * rs), r3 = FloatVector.fromArray(S, a, src + 3 * rs),
                r4 = FloatVector.fromArray(S, a, src + 4 * rs), r5 = FloatVector.fromArray(S, a, src + 5 * rs),
                r6 = FloatVector.fromArray(S, a, src + 6 * rs), r7 = FloatVector.fromArray(S, a, src + 7 * rs);
        for (int round = 0; round < 3; round++) {
            FloatVector o0 = lo(r0, r4), o1 = hi(r0, r4), o2 = lo(r1, r5), o3 = hi(r1, r5),
                    o4 = lo(r2, r6), o5 = hi(r2, r6), o6 = lo(r3, r7), o7 = hi(r3, r7);
            r0 = o0; r1 = o1; r2 = o2; r3 = o3; r4 = o4; r5 = o5; r6 = o6; r7 = o7;
        }
        store(r0, dst, d, 0, stride, split);
        store(r1, dst, d, 1, stride, split);
        store(r2, dst, d, 2, stride, split);
        store(r3, dst, d, 3, stride, split);
        store(r4, dst, d, 4, stride, split);
        store(r5, dst, d, 5, stride, split);
        store(r6, dst, d, 6, stride, split);
        store(r7, dst, d, 7, stride, split);
    }

    /** Vector t of {@link #transpose8}. */
    private static void store(FloatVector v, float[] dst, int d, int t, int stride, boolean split) {
        if (!split) {
            v.intoArray(dst, d + t * stride);
        } else { // the upper half stored from V/2 before row 2t+1 lands at its start
            v.intoArray(dst, d + 2 * t * stride, LOWER);
            v.intoArray(dst, d + (2 * t + 1) * stride - V / 2, UPPER);
        }
    }
}
