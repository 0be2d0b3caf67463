package dev.jllm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * e^x for each lane of a float vector, computed with the same bits whether the JVM interprets the code or has
 * compiled it.
 *
 * <p>Why not {@code lanewise(VectorOperators.EXP)}: C2 compiles it to an SVML routine, while interpreted and C1 code
 * falls back to {@link Math#exp} per lane; the two differ in the last bit for some inputs (measured: GELU over 4,096
 * values changed 22 of them after about 300 calls, when C2 took over). A training run resumed in a fresh process
 * then follows a slightly different path from the uninterrupted run (metrics apart in the sixth digit), and
 * "resume gives the same run" holds only by luck of JIT timing. Here only adds, multiplies, fused multiply-adds,
 * min/max, shifts and bit reinterpretations are used: IEEE-exact operations whose results the JIT may not change.
 *
 * <p>The method (Cody and Waite's range reduction, a minimax polynomial on the reduced interval):
 * <pre>
 *   n = round(x · log2 e)                   an integer, by adding 1.5·2^23 (rounds to nearest in float)
 *   r = x − n·ln2                           ln2 in two parts: n·LN2_HI is exact for |n| &lt; 2^15
 *   e^r ≈ 1 + r + r²·P(r),  |r| ≤ ln2 / 2   P of degree 5, within about 2 ulp of e^r in float
 *   e^x = e^r · 2^h · 2^(n−h),  h = n / 2  two normal powers of two, so that results near the ends of the float
 *                                          range overflow to +∞ or round into the subnormals as they should
 * </pre>
 * x is first clamped to [−110, 89]: beyond, e^x is 0 or +∞ in float anyway, and the clamp keeps n small. NaN
 * stays NaN, e^−∞ = 0 and e^0 = 1 exactly (a softmax's largest element weighs exactly 1). VectorExpTest holds
 * every lane to the same arithmetic written out for one float, bit for bit.
 */
public final class VectorExp {
    private VectorExp() {}

    static final float LOG2E = 1.44269504088896341f;
    static final float LN2_HI = 0.693359375f; // few mantissa bits: n·LN2_HI is exact
    static final float LN2_LO = -2.12194440e-4f; // ln 2 − LN2_HI
    static final float ROUND = 12582912f; // 1.5·2^23: x + ROUND holds round(x) in its low mantissa bits
    static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    static final float LOW = -110f, HIGH = 89f;
    // P(r) = e^r's Taylor-like tail (e^r − 1 − r) / r², minimax coefficients (as in Cephes' expf)
    static final float P0 = 5.0000001201e-1f, P1 = 1.6666665459e-1f, P2 = 4.1665795894e-2f,
            P3 = 8.3334519073e-3f, P4 = 1.3981999507e-3f, P5 = 1.9875691500e-4f;

    /** e^x for each lane of {@code x}. */
    public static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(LOW).min(HIGH);
        FloatVector t = xc.mul(LOG2E).add(ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(x.broadcast(-LN2_HI), xc);
        r = n.fma(x.broadcast(-LN2_LO), r);
        FloatVector p = r.fma(x.broadcast(P5), x.broadcast(P4));
        p = p.fma(r, x.broadcast(P3));
        p = p.fma(r, x.broadcast(P2));
        p = p.fma(r, x.broadcast(P1));
        p = p.fma(r, x.broadcast(P0));
        FloatVector er = p.mul(r.mul(r)).add(r).add(1f);
        IntVector ni = t.reinterpretAsInts().sub(ROUND_BITS);
        IntVector h = ni.lanewise(VectorOperators.ASHR, 1), l = ni.sub(h);
        FloatVector scaleH = h.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector scaleL = l.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return er.mul(scaleH).mul(scaleL);
    }
}
