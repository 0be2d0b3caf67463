package dev.jllm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tile of every matrix product: C[MR, NR] = init + A-sliver[MR, kc] · B-panel[kc, NR], with
 * NR = two vectors of the preferred species (32 floats with AVX-512, 16 with AVX2).
 *
 * <p>Packed layouts (see {@link Gemm}): the A sliver holds, for each p in [0, kc), the MR values A[0..MR, p]
 * side by side; the B panel holds, for each p, the NR values B[p, 0..NR] side by side. One k step is then two
 * vector loads of B, MR broadcasts of A and 2·MR FMAs into the accumulators.
 *
 * <p>Register budget: 8 accumulators + 2 B vectors + 4 broadcasts = 14 live vectors, which fits the 16 registers
 * of AVX2 (C2 hoists all broadcasts of a k step, so a 6-row tile, 12 + 2 + 6 = 20 vectors, spills an accumulator
 * to the stack in the inner loop and runs at half speed there).
 * On AVX-512 (32 registers) 6- and 8-row tiles measured the same speed on data in L1, so one tile serves both.
 * The method is small and static so that C2 compiles it once, on its own.
 */
final class MicroKernel {
    private MicroKernel() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int V = S.length();
    /** Rows of the tile (A sliver height). */
    static final int MR = 4;
    /** Columns of the tile (B panel width). */
    static final int NR = 2 * V;

    /**
     * C[r, 0..NR] = init[r] + Σ_p a[aOff + p·MR + r] · b[bOff + p·NR + 0..NR] for r in [0, MR).
     *
     * @param init   starting values, row r at {@code init[initOff + r·initLd]}: C itself to accumulate
     *               ({@code initLd = ldc}), a bias row ({@code initLd = 0}), or null for zero
     */
    static void tile(float[] a, int aOff, float[] b, int bOff, int kc,
                     float[] init, int initOff, int initLd, float[] c, int cOff, int ldc) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
        if (init == null) {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(S);
        } else {
            int o = initOff;
            c00 = FloatVector.fromArray(S, init, o);
            c01 = FloatVector.fromArray(S, init, o + V);
            o += initLd;
            c10 = FloatVector.fromArray(S, init, o);
            c11 = FloatVector.fromArray(S, init, o + V);
            o += initLd;
            c20 = FloatVector.fromArray(S, init, o);
            c21 = FloatVector.fromArray(S, init, o + V);
            o += initLd;
            c30 = FloatVector.fromArray(S, init, o);
            c31 = FloatVector.fromArray(S, init, o + V);
        }
        for (int p = 0; p < kc; p++) {
            int bi = bOff + p * NR, ai = aOff + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + V);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        int o = cOff;
        c00.intoArray(c, o);
        c01.intoArray(c, o + V);
        o += ldc;
        c10.intoArray(c, o);
        c11.intoArray(c, o + V);
        o += ldc;
        c20.intoArray(c, o);
        c21.intoArray(c, o + V);
        o += ldc;
        c30.intoArray(c, o);
        c31.intoArray(c, o + V);
    }
}
