package dev.jllm.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorExp}: every lane equals {@link #scalarExp}, the same arithmetic on one float, bit for bit (the same
 * IEEE-exact operations, so interpreted and compiled code agree), stays within a few ulp of {@link Math#exp}, and
 * gets the ends of the range right.
 */
class VectorExpTest {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /**
     * VectorExp's arithmetic on one float, operation for operation: scalar adds, multiplies and {@link Math#fma} are
     * IEEE-exact, so this is the value every lane must have, interpreted or compiled.
     */
    private static float scalarExp(float x) {
        float xc = Math.min(Math.max(x, VectorExp.LOW), VectorExp.HIGH);
        float t = xc * VectorExp.LOG2E + VectorExp.ROUND;
        float n = t - VectorExp.ROUND;
        float r = Math.fma(n, -VectorExp.LN2_HI, xc);
        r = Math.fma(n, -VectorExp.LN2_LO, r);
        float p = Math.fma(r, VectorExp.P5, VectorExp.P4);
        p = Math.fma(p, r, VectorExp.P3);
        p = Math.fma(p, r, VectorExp.P2);
        p = Math.fma(p, r, VectorExp.P1);
        p = Math.fma(p, r, VectorExp.P0);
        float er = p * (r * r) + r + 1f;
        int ni = Float.floatToRawIntBits(t) - VectorExp.ROUND_BITS, h = ni >> 1, l = ni - h;
        return er * Float.intBitsToFloat((h + 127) << 23) * Float.intBitsToFloat((l + 127) << 23);
    }

    private static float[] vectorExp(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += F.length()) VectorExp.exp(FloatVector.fromArray(F, x, i)).intoArray(y, i);
        return y;
    }

    private static float[] inputs() {
        SplittableRandom random = new SplittableRandom(3);
        float[] x = new float[F.length() * 40_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (i % 4) {
                case 0 -> (float) (random.nextDouble() * 220 - 115); // the whole range, beyond both ends
                case 1 -> (float) (random.nextDouble() * 20 - 10);
                case 2 -> (float) (random.nextGaussian() * 1e-3);
                default -> -Math.abs((float) random.nextGaussian() * 30); // softmax: x − max ≤ 0
            };
        }
        return x;
    }

    @Test
    void vectorLanesEqualTheScalarTwinBitForBitEvenAfterTheJitCompilesThem() {
        float[] x = inputs();
        for (int round = 0; round < 30; round++) { // later rounds run compiled (C2), the first interpreted
            float[] y = vectorExp(x);
            for (int i = 0; i < x.length; i++) {
                if (Float.floatToRawIntBits(y[i]) != Float.floatToRawIntBits(scalarExp(x[i]))) {
                    throw new AssertionError("round " + round + ": exp(" + x[i] + ") = " + y[i] + " in the vector, "
                            + scalarExp(x[i]) + " in the scalar twin");
                }
            }
        }
    }

    @Test
    void withinThreeUlpOfMathExpOverTheFloatRange() {
        float[] x = inputs();
        float[] y = vectorExp(x);
        for (int i = 0; i < x.length; i++) {
            float want = (float) Math.exp(x[i]);
            if (Float.isInfinite(want)) {
                assertThat(y[i]).as("exp(%s)", x[i]).isInfinite();
                continue;
            }
            if (want == 0f) {
                assertThat(y[i]).as("exp(%s)", x[i]).isBetween(0f, Float.MIN_VALUE);
                continue;
            }
            float ulps = Math.abs(y[i] - want) / Math.ulp(want);
            assertThat(ulps).as("exp(%s) = %s, Math.exp %s", x[i], y[i], want)
                    .isLessThanOrEqualTo(want < Float.MIN_NORMAL ? 2f : 3f);
        }
    }

    @Test
    void theEndsOfTheRange() {
        float[] x = new float[F.length()];
        float[] special = {0f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, -104f, 88.7f, 89f, -0f};
        for (int i = 0; i < x.length; i++) x[i] = special[i % special.length];
        float[] y = vectorExp(x);
        for (int i = 0; i < x.length; i++) {
            float v = x[i], e = y[i];
            if (v == 0f) assertThat(e).isEqualTo(1f);
            else if (v == Float.NEGATIVE_INFINITY || v == -104f) assertThat(e).isEqualTo(0f);
            else if (v == Float.POSITIVE_INFINITY || v == 89f) assertThat(e).isEqualTo(Float.POSITIVE_INFINITY);
            else if (Float.isNaN(v)) assertThat(e).isNaN();
            else assertThat(e).isCloseTo((float) Math.exp(v), org.assertj.core.data.Percentage.withPercentage(1e-4));
        }
    }
}
