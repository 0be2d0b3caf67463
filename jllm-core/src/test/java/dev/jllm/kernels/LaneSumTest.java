package dev.jllm.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * {@link LaneSum}: the same bits as its tree written out in scalar code, in every round (the first rounds run
 * interpreted, later ones compiled by C2), for every vector shape; close to the float64 sum.
 */
class LaneSumTest {

    /** The tree of LaneSum in scalar code: lane i += lane i + h for h = L/2 .. 1. */
    private static float tree(float[] x, int off, int lanes) {
        float[] v = java.util.Arrays.copyOfRange(x, off, off + lanes);
        for (int h = lanes / 2; h >= 1; h /= 2) {
            float[] next = new float[lanes];
            for (int i = 0; i < lanes; i++) next[i] = v[i] + v[(i + h) % lanes];
            v = next;
        }
        return v[0];
    }

    @Test
    void theSumIsTheFixedTreeInEveryRoundAndShape() {
        SplittableRandom random = new SplittableRandom(9);
        float[] x = new float[16 * 512];
        for (int i = 0; i < x.length; i++) x[i] = (float) (random.nextGaussian() * Math.exp(random.nextGaussian() * 4));
        for (VectorSpecies<Float> s : java.util.List.of(FloatVector.SPECIES_512, FloatVector.SPECIES_256,
                FloatVector.SPECIES_128, FloatVector.SPECIES_64)) {
            int lanes = s.length();
            for (int round = 0; round < 200; round++) {
                for (int off = 0; off + lanes <= x.length; off += lanes) {
                    float got = LaneSum.sum(FloatVector.fromArray(s, x, off));
                    float want = lanes == 2 ? x[off] + x[off + 1] : tree(x, off, lanes);
                    if (Float.floatToRawIntBits(got) != Float.floatToRawIntBits(want)) {
                        throw new AssertionError(s + " round " + round + " offset " + off + ": " + got + " != " + want);
                    }
                    if (round == 0) {
                        double exact = 0;
                        for (int i = 0; i < lanes; i++) exact += x[off + i];
                        double scale = 0;
                        for (int i = 0; i < lanes; i++) scale += Math.abs(x[off + i]);
                        assertThat(Math.abs(got - exact)).isLessThanOrEqualTo(1e-6 * scale + 1e-30);
                    }
                }
            }
        }
    }
}
