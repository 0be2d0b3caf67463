package dev.jllm.kernels;

import java.util.Arrays;

/**
 * Packed, blocked matrix product C[M,N] (=|+=) A[M,K] · B[K,N] that all three training layouts reduce to.
 *
 * <p>Operands are views on row-major arrays: A(i, p) lives at {@code a[aOff + i·aRs + p·aCs]} and B(p, j) at
 * {@code b[bOff + p·bRs + j·bCs]}, so a transposed operand is the same array with its strides swapped. C(i, j)
 * lives at {@code c[cOff + i·ldc + j]}.
 *
 * <p>The loop nest, outermost first, with the register tile (MR rows × NR columns), the K block KC and the
 * panel group of the machine's {@link GemmPlan}:
 * <ol>
 *   <li>chunks of {@code mc} rows of A and blocks of KC along K: the A chunk is packed once, in parallel,
 *       into MR-row slivers shared by all threads (it stays in L3);</li>
 *   <li>the threads split the output tiles (by panels of NR columns, or by slivers when there are few panels);
 *       each thread packs its own B panels, a group at a time, into its own buffer (they stay in L2);</li>
 *   <li>for each A sliver (in L1), the micro-kernel runs over the panels of the group.</li>
 * </ol>
 * Every output tile is written by exactly one thread; the buffers are per thread and reused between calls.
 */
final class Gemm {
    private Gemm() {}

    /**
     * Floats of packed A shared per chunk (12 MiB, within the 32 MiB L3 of these machines): the B panels are
     * packed again for every chunk, so a chunk holds M = 2048 rows at K blocks of 768 (4 MiB made B be packed
     * twice there).
     */
    static final int A_CHUNK = 3 << 20;

    /** Per-thread packing buffers, grown on demand and kept: no allocation per call in steady state. */
    private static final class Buffers {
        float[] a = new float[0], b = new float[0], edge = new float[0];

        float[] a(int size) {
            if (a.length < size) a = new float[size];
            return a;
        }

        float[] b(int size) {
            if (b.length < size) b = new float[size];
            return b;
        }

        float[] edge(int size) {
            if (edge.length < size) edge = new float[size];
            return edge;
        }
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /**
     * C = A·B (+ bias[N] per row when not null) when {@code accumulate} is false; C += A·B when it is true
     * (bias must then be null).
     */
    static void multiply(float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int bRs, int bCs,
                         float[] bias, boolean accumulate, float[] c, int cOff, int ldc, int m, int n, int k) {
        multiply(GemmPlan.active(), a, aOff, aRs, aCs, b, bOff, bRs, bCs, bias, accumulate, c, cOff, ldc, m, n, k);
    }

    /** {@link #multiply(float[], int, int, int, float[], int, int, int, float[], boolean, float[], int, int, int, int, int)} with the given plan. */
    static void multiply(GemmPlan plan, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int bRs, int bCs,
                         float[] bias, boolean accumulate, float[] c, int cOff, int ldc, int m, int n, int k) {
        multiply(plan, a, aOff, aRs, aCs, b, bOff, bRs, bCs, null, bias, accumulate, c, cOff, ldc, m, n, k);
    }

    /**
     * C[M,N] = X[M,K] · Wᵀ (+ bias) with W [N, K] stored as {@link Bf16#pack bfloat16 pairs}: the same product,
     * with the weights widened to float32 while B panels are packed (exact), so the flops run on the same tile.
     */
    static void multiplyBf16(GemmPlan plan, float[] x, int xOff, int[] w, float[] bias, float[] c, int cOff,
                             int m, int n, int k) {
        multiply(plan, x, xOff, k, 1, null, 0, (k + 1) / 2, 0, w, bias, false, c, cOff, n, m, n, k);
    }

    private static void multiply(GemmPlan plan, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int bRs,
                                 int bCs, int[] bf16, float[] bias, boolean accumulate, float[] c, int cOff, int ldc,
                                 int m, int n, int k) {
        if (m == 0 || n == 0) return;
        FlopCounter.add(m, n, k);
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    if (bias == null) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                    else System.arraycopy(bias, 0, c, cOff + i * ldc, n);
                }
            }
            return;
        }
        plan = plan.forWidth(n);
        Tile tile = plan.tile();
        int mr = tile.rows, nr = tile.columns(), kcPlan = plan.kc();
        int kcMax = Math.min(k, kcPlan);
        int chunkRows = Math.max(mr, A_CHUNK / kcMax / mr * mr);
        float[] aPack = BUFFERS.get().a(Math.min(roundUp(m, mr), chunkRows) * kcMax);
        int panels = (n + nr - 1) / nr;
        for (int i0 = 0; i0 < m; i0 += chunkRows) {
            int mc = Math.min(chunkRows, m - i0), slivers = (mc + mr - 1) / mr;
            for (int p0 = 0; p0 < k; p0 += kcPlan) {
                int kc = Math.min(kcPlan, k - p0);
                // a short K block (K below the plan's KC) takes proportionally more panels into the same L2 budget
                int group = Math.max(plan.group(), plan.group() * kcPlan / kc);
                Block blk = new Block(tile, mr, nr, group, a, aOff, aRs, aCs, b, bOff, bRs, bCs, bf16, bias,
                        !accumulate && p0 == 0, c, cOff, ldc, n, i0, mc, p0, kc, aPack);
                Parallel.forRange(slivers, blk::packA);
                if (panels >= 2 * Parallel.threads() || slivers < Parallel.threads()) {
                    Parallel.forRange(panels, (q0, q1) -> blk.compute(0, slivers, q0, q1));
                } else {
                    Parallel.forRange(slivers, (s0, s1) -> blk.compute(s0, s1, 0, panels));
                }
            }
        }
    }

    /**
     * One (row chunk, K block) step: rows [i0, i0+mc) of C, reduction indices [p0, p0+kc). B is {@code b} read
     * through its strides, or (when {@code bf16} is not null) W [n, K] in bfloat16 pairs, bRs ints per row.
     * {@code overwrite}: this is the first K block of a non-accumulating product, so tiles start from the bias
     * (or zero) instead of from C.
     */
    private record Block(Tile tile, int mr, int nr, int group, float[] a, int aOff, int aRs, int aCs,
                         float[] b, int bOff, int bRs, int bCs, int[] bf16, float[] bias, boolean overwrite,
                         float[] c, int cOff, int ldc, int n, int i0, int mc, int p0, int kc, float[] aPack) {

        /** Packs slivers [s0, s1) of the A chunk: sliver s holds A(i0+s·MR+r, p0+p) at s·MR·kc + p·MR + r. */
        void packA(int s0, int s1) {
            for (int s = s0; s < s1; s++) {
                int row = i0 + s * mr, rows = Math.min(mr, i0 + mc - row), d = s * mr * kc;
                if (aCs == 1) { // rows of A (X, dY) contiguous along p: a transpose
                    GemmPack.sliverAcross(a, aOff + row * aRs + p0, aRs, rows, mr, kc, aPack, d);
                } else if (aRs == 1) { // A is a transposed view (dYᵀ): row p of the array holds A(·, p)
                    GemmPack.sliverAlong(a, aOff + p0 * aCs + row, aCs, rows, mr, kc, aPack, d);
                } else { // A read through general strides: MR values per p
                    for (int p = 0; p < kc; p++) {
                        int src = aOff + row * aRs + (p0 + p) * aCs;
                        for (int r = 0; r < mr; r++) aPack[d + p * mr + r] = r < rows ? a[src + r * aRs] : 0f;
                    }
                }
            }
        }

        /** Packs panel q of the K block into dst at d: B(p0+p, q·NR+j) at d + p·NR + j, zero past column n. */
        void packB(int q, float[] dst, int d) {
            int col = q * nr, cols = Math.min(nr, n - col);
            if (bf16 != null) { // B(p, j) = W[j, p], W in bfloat16 pairs: element p of row j in int j·bRs + p/2
                for (int j = 0; j < nr; j++) {
                    int row = (col + j) * bRs;
                    for (int p = 0; p < kc; p++) {
                        int pp = p0 + p, pair = j < cols ? bf16[row + (pp >> 1)] : 0;
                        dst[d + p * nr + j] = Float.intBitsToFloat((pp & 1) == 0 ? pair << 16 : pair & 0xFFFF0000);
                    }
                }
            } else if (bCs == 1) { // rows of B (W, X) contiguous along the columns
                GemmPack.panelAlong(b, bOff + p0 * bRs + col, bRs, cols, nr, kc, dst, d);
            } else if (bRs == 1) { // B is a transposed view (W[N,K] read as Wᵀ): a transpose
                GemmPack.panelAcross(b, bOff + col * bCs + p0, bCs, cols, nr, kc, dst, d);
            } else { // B read through general strides
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (p0 + p) * bRs + col * bCs;
                    for (int j = 0; j < nr; j++) dst[d + p * nr + j] = j < cols ? b[src + j * bCs] : 0f;
                }
            }
        }

        /** The output tiles of slivers [s0, s1) × panels [q0, q1), in groups of {@code group} panels. */
        void compute(int s0, int s1, int q0, int q1) {
            Buffers buf = BUFFERS.get();
            float[] bPack = buf.b(group * nr * kc), edge = buf.edge(mr * nr);
            for (int g0 = q0; g0 < q1; g0 += group) {
                int g1 = Math.min(q1, g0 + group);
                for (int q = g0; q < g1; q++) packB(q, bPack, (q - g0) * nr * kc);
                for (int s = s0; s < s1; s++) {
                    int row = i0 + s * mr, rows = Math.min(mr, i0 + mc - row);
                    for (int q = g0; q < g1; q++) {
                        int col = q * nr, cols = Math.min(nr, n - col);
                        int aAt = s * mr * kc, bAt = (q - g0) * nr * kc, cAt = cOff + row * ldc + col;
                        if (rows == mr && cols == nr) {
                            if (!overwrite) MicroKernel.tile(tile, aPack, aAt, bPack, bAt, kc, c, cAt, ldc, c, cAt, ldc);
                            else MicroKernel.tile(tile, aPack, aAt, bPack, bAt, kc, bias, col, 0, c, cAt, ldc);
                        } else {
                            edgeTile(edge, aAt, bPack, bAt, cAt, rows, col, cols);
                        }
                    }
                }
            }
        }

        /** A tile that overhangs C: computed in a scratch tile, of which the part inside C is copied back. */
        private void edgeTile(float[] t, int aAt, float[] bPack, int bAt, int cAt, int rows, int col, int cols) {
            Arrays.fill(t, 0, mr * nr, 0f);
            for (int r = 0; r < rows; r++) {
                if (!overwrite) System.arraycopy(c, cAt + r * ldc, t, r * nr, cols);
                else if (bias != null) System.arraycopy(bias, col, t, r * nr, cols);
            }
            MicroKernel.tile(tile, aPack, aAt, bPack, bAt, kc, t, 0, nr, t, 0, nr);
            for (int r = 0; r < rows; r++) System.arraycopy(t, r * nr, c, cAt + r * ldc, cols);
        }
    }

    private static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }
}
