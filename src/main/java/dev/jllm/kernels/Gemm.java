package dev.jllm.kernels;

import static dev.jllm.kernels.MicroKernel.MR;
import static dev.jllm.kernels.MicroKernel.NR;

import java.util.Arrays;

/**
 * Packed, blocked matrix product C[M,N] (=|+=) A[M,K] · B[K,N] that all three training layouts reduce to.
 *
 * <p>Operands are views on row-major arrays: A(i, p) lives at {@code a[aOff + i·aRs + p·aCs]} and B(p, j) at
 * {@code b[bOff + p·bRs + j·bCs]}, so a transposed operand is the same array with its strides swapped. C(i, j)
 * lives at {@code c[cOff + i·ldc + j]}.
 *
 * <p>The loop nest, outermost first:
 * <ol>
 *   <li>chunks of {@code mc} rows of A and blocks of {@link #KC} along K: the A chunk is packed once, in parallel,
 *       into MR-row slivers shared by all threads (it stays in L3);</li>
 *   <li>the threads split the output tiles (by panels of NR columns, or by slivers when there are few panels);
 *       each thread packs its own B panels, {@link #GROUP} at a time, into its own buffer (they stay in L2);</li>
 *   <li>for each A sliver (in L1), the micro-kernel runs over the panels of the group.</li>
 * </ol>
 * Every output tile is written by exactly one thread; the buffers are per thread and reused between calls.
 */
final class Gemm {
    private Gemm() {}

    /**
     * Block along K: one packed A sliver (MR·KC floats, 12 KiB) stays in L1 while it meets the panels of a group.
     * Measured on the Zen 4 machine: 768 beat 256, 384, 1024 and 1536 by 1 to 8 %.
     */
    static final int KC = 768;
    /** B panels packed together by one thread: GROUP·NR·KC floats (384 KiB with AVX-512) stay in L2. */
    static final int GROUP = 4;
    /** Floats of packed A shared per chunk (4 MiB, within L3). */
    static final int A_CHUNK = 1 << 20;

    /** Per-thread packing buffers, grown on demand and kept: no allocation per call in steady state. */
    private static final class Buffers {
        float[] a = new float[0];
        float[] b = new float[GROUP * NR * KC];
        final float[] edge = new float[MR * NR];

        float[] a(int size) {
            if (a.length < size) a = new float[size];
            return a;
        }
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /**
     * C = A·B (+ bias[N] per row when not null) when {@code accumulate} is false; C += A·B when it is true
     * (bias must then be null).
     */
    static void multiply(float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int bRs, int bCs,
                         float[] bias, boolean accumulate, float[] c, int cOff, int ldc, int m, int n, int k) {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    if (bias == null) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                    else System.arraycopy(bias, 0, c, cOff + i * ldc, n);
                }
            }
            return;
        }
        int kcMax = Math.min(k, KC);
        int chunkRows = Math.max(MR, A_CHUNK / kcMax / MR * MR);
        float[] aPack = BUFFERS.get().a(Math.min(roundUp(m, MR), chunkRows) * kcMax);
        int panels = (n + NR - 1) / NR;
        for (int i0 = 0; i0 < m; i0 += chunkRows) {
            int mc = Math.min(chunkRows, m - i0), slivers = (mc + MR - 1) / MR;
            for (int p0 = 0; p0 < k; p0 += KC) {
                Block blk = new Block(a, aOff, aRs, aCs, b, bOff, bRs, bCs, bias, !accumulate && p0 == 0,
                        c, cOff, ldc, n, i0, mc, p0, Math.min(KC, k - p0), aPack);
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
     * One (row chunk, K block) step: rows [i0, i0+mc) of C, reduction indices [p0, p0+kc).
     * {@code overwrite}: this is the first K block of a non-accumulating product, so tiles start from the bias
     * (or zero) instead of from C.
     */
    private record Block(float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int bRs, int bCs,
                         float[] bias, boolean overwrite, float[] c, int cOff, int ldc, int n,
                         int i0, int mc, int p0, int kc, float[] aPack) {

        /** Packs slivers [s0, s1) of the A chunk: sliver s holds A(i0+s·MR+r, p0+p) at s·MR·kc + p·MR + r. */
        void packA(int s0, int s1) {
            for (int s = s0; s < s1; s++) {
                int row = i0 + s * MR, rows = Math.min(MR, i0 + mc - row), d = s * MR * kc;
                if (aCs == 1) { // rows of A are contiguous: read each along p
                    for (int r = 0; r < MR; r++) {
                        if (r < rows) {
                            int src = aOff + (row + r) * aRs + p0;
                            for (int p = 0; p < kc; p++) aPack[d + p * MR + r] = a[src + p];
                        } else {
                            for (int p = 0; p < kc; p++) aPack[d + p * MR + r] = 0f;
                        }
                    }
                } else { // columns of A are contiguous (A is a transposed view): read MR values per p
                    for (int p = 0; p < kc; p++) {
                        int src = aOff + row * aRs + (p0 + p) * aCs;
                        for (int r = 0; r < MR; r++) aPack[d + p * MR + r] = r < rows ? a[src + r * aRs] : 0f;
                    }
                }
            }
        }

        /** Packs panel q of the K block into dst at d: B(p0+p, q·NR+j) at d + p·NR + j, zero past column n. */
        void packB(int q, float[] dst, int d) {
            int col = q * NR, cols = Math.min(NR, n - col);
            if (bCs == 1) { // rows of B are contiguous
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, bOff + (p0 + p) * bRs + col, dst, d + p * NR, cols);
                    if (cols < NR) Arrays.fill(dst, d + p * NR + cols, d + (p + 1) * NR, 0f);
                }
            } else { // B is a transposed view (W[N,K] read as Wᵀ): four columns at a time, each read along p
                int j = 0;
                for (; j + 4 <= cols; j += 4) {
                    int s0 = bOff + (col + j) * bCs + p0 * bRs, s1 = s0 + bCs, s2 = s1 + bCs, s3 = s2 + bCs;
                    for (int p = 0, at = d + j; p < kc; p++, at += NR) {
                        int o = p * bRs;
                        dst[at] = b[s0 + o];
                        dst[at + 1] = b[s1 + o];
                        dst[at + 2] = b[s2 + o];
                        dst[at + 3] = b[s3 + o];
                    }
                }
                for (; j < NR; j++) {
                    int src = bOff + (col + j) * bCs + p0 * bRs;
                    for (int p = 0; p < kc; p++) dst[d + p * NR + j] = j < cols ? b[src + p * bRs] : 0f;
                }
            }
        }

        /** The output tiles of slivers [s0, s1) × panels [q0, q1), in groups of {@link #GROUP} panels. */
        void compute(int s0, int s1, int q0, int q1) {
            Buffers buf = BUFFERS.get();
            float[] bPack = buf.b;
            for (int g0 = q0; g0 < q1; g0 += GROUP) {
                int g1 = Math.min(q1, g0 + GROUP);
                for (int q = g0; q < g1; q++) packB(q, bPack, (q - g0) * NR * kc);
                for (int s = s0; s < s1; s++) {
                    int row = i0 + s * MR, rows = Math.min(MR, i0 + mc - row);
                    for (int q = g0; q < g1; q++) {
                        int col = q * NR, cols = Math.min(NR, n - col);
                        int aAt = s * MR * kc, bAt = (q - g0) * NR * kc, cAt = cOff + row * ldc + col;
                        if (rows == MR && cols == NR) {
                            if (!overwrite) MicroKernel.tile(aPack, aAt, bPack, bAt, kc, c, cAt, ldc, c, cAt, ldc);
                            else MicroKernel.tile(aPack, aAt, bPack, bAt, kc, bias, col, 0, c, cAt, ldc);
                        } else {
                            edgeTile(buf.edge, aAt, bPack, bAt, cAt, rows, col, cols);
                        }
                    }
                }
            }
        }

        /** A tile that overhangs C: computed in a scratch tile, of which the part inside C is copied back. */
        private void edgeTile(float[] t, int aAt, float[] bPack, int bAt, int cAt, int rows, int col, int cols) {
            Arrays.fill(t, 0f);
            for (int r = 0; r < rows; r++) {
                if (!overwrite) System.arraycopy(c, cAt + r * ldc, t, r * NR, cols);
                else if (bias != null) System.arraycopy(bias, col, t, r * NR, cols);
            }
            MicroKernel.tile(aPack, aAt, bPack, bAt, kc, t, 0, NR, t, 0, NR);
            for (int r = 0; r < rows; r++) System.arraycopy(t, r * NR, c, cAt + r * ldc, cols);
        }
    }

    private static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }
}
