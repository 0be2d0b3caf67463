package dev.jllm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Inverted dropout whose keep/drop decisions come from a counter-based hash of (seed, element index) rather
 * than a stored mask: forward and backward recompute the same decisions, any thread can do any element, and
 * the result does not depend on how the work was split.
 */
public final class DropoutKernel {
    private DropoutKernel() {}

    private static final long GOLDEN = 0x9E3779B97F4A7C15L, MIX1 = 0xBF58476D1CE4E5B9L, MIX2 = 0x94D049BB133111EBL;
    /** 64-bit lanes for the hash; FS has as many float lanes, for the factors it selects. */
    private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FS = VectorSpecies.of(float.class, VectorShape.forBitSize(LS.length() * 32));
    /** Elements per block of factors in {@link #forward} and {@link #backward}: a scratch that stays in L1. */
    private static final int BLOCK = 1024;

    /** Whether element {@code counter} survives dropout with probability {@code p} of dropping, under {@code seed}. */
    public static boolean kept(long seed, long counter, float p) {
        // SplitMix64's finaliser over seed + counter·golden ratio: a fresh well-mixed 64-bit word per element.
        long x = seed + (counter + 1) * GOLDEN;
        x = (x ^ (x >>> 30)) * MIX1;
        x = (x ^ (x >>> 27)) * MIX2;
        x ^= x >>> 31;
        return (x >>> 40) * 0x1.0p-24f >= p;
    }

    /**
     * out[outOff + j] = {@code scale} where element counter0 + j is {@link #kept}, else 0, for j in [0, n): the
     * same decisions as {@code kept}, a vector of 64-bit hashes at a time.
     */
    public static void keepFactors(long seed, long counter0, float p, float scale, float[] out, int outOff, int n) {
        int j = 0;
        if (VectorSupport.ENABLED) {
            // kept ⟺ (x >>> 40)·2⁻²⁴ ≥ p ⟺ (x >>> 40) ≥ ⌈p·2²⁴⌉, both sides exact
            long threshold = (long) Math.ceil(p * 0x1p24);
            LongVector lane = LongVector.zero(LS).addIndex(1);
            FloatVector keep = FloatVector.broadcast(FS, scale), drop = FloatVector.zero(FS);
            for (int bound = n - LS.length(); j <= bound; j += LS.length()) {
                LongVector x = lane.add(counter0 + j + 1).mul(GOLDEN).add(seed);
                x = x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 30)).mul(MIX1);
                x = x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 27)).mul(MIX2);
                x = x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 31));
                VectorMask<Long> kept = x.lanewise(VectorOperators.LSHR, 40).compare(VectorOperators.GE, threshold);
                drop.blend(keep, kept.cast(FS)).intoArray(out, outOff + j);
            }
        }
        for (; j < n; j++) out[outOff + j] = kept(seed, counter0 + j, p) ? scale : 0f;
    }

    /** y[i] = x[i] / (1 − p) where kept, else 0, for i in [0, n). */
    public static void forward(float[] x, float[] y, int n, float p, long seed) {
        float keepScale = 1f / (1f - p);
        Elementwise.forChunks(n, (s, e) -> {
            float[] factors = new float[BLOCK];
            for (int i = s; i < e; i += BLOCK) {
                int len = Math.min(BLOCK, e - i);
                keepFactors(seed, i, p, keepScale, factors, 0, len);
                Elementwise.mul(x, i, factors, 0, y, i, len);
            }
        });
    }

    /** dx[i] += dy[i] / (1 − p) where kept, for i in [0, n). */
    public static void backward(float[] dy, float[] dx, int n, float p, long seed) {
        float keepScale = 1f / (1f - p);
        Elementwise.forChunks(n, (s, e) -> {
            float[] factors = new float[BLOCK];
            for (int i = s; i < e; i += BLOCK) {
                int len = Math.min(BLOCK, e - i);
                keepFactors(seed, i, p, keepScale, factors, 0, len);
                Elementwise.mulAccumulate(dy, i, factors, 0, dx, i, len);
            }
        });
    }
}
