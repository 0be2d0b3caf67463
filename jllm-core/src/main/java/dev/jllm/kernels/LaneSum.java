package dev.jllm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sum of a float vector's lanes, added in one fixed order whether the JVM interprets the code or has compiled
 * it.
 *
 * <p>Why not {@code reduceLanes(VectorOperators.ADD)}: its order is unspecified, and HotSpot uses two: interpreted
 * code adds the lanes one after another, C2 adds them as a tree. Float addition is not associative, so the same
 * vector sums to different last bits before and after C2 compiles the caller (measured: 110,309 of 300,000 sums of
 * random vectors changed once compiled). A layer norm, softmax or matrix-vector product then depends on JIT timing,
 * and so does a training run resumed in a fresh process, which should repeat the uninterrupted run bit for bit.
 *
 * <p>Here the tree is explicit: lane i gets lane i + L/2 added (a rotation by L/2 and one add), then i + L/4, down to
 * i + 1, and lane 0 holds the total: log2(L) rotations and adds, as cheap as C2's own reduction, and exact IEEE
 * operations the JIT may not reorder.
 */
public final class LaneSum {
    private LaneSum() {}

    private static final VectorSpecies<Float> S512 = FloatVector.SPECIES_512, S256 = FloatVector.SPECIES_256,
            S128 = FloatVector.SPECIES_128;
    private static final VectorShuffle<Float> R16_8 = rotate(S512, 8), R16_4 = rotate(S512, 4), R16_2 = rotate(S512, 2),
            R16_1 = rotate(S512, 1), R8_4 = rotate(S256, 4), R8_2 = rotate(S256, 2), R8_1 = rotate(S256, 1),
            R4_2 = rotate(S128, 2), R4_1 = rotate(S128, 1);

    /** Lane i of the result is lane (i + by) mod L of the input. */
    private static VectorShuffle<Float> rotate(VectorSpecies<Float> s, int by) {
        return VectorShuffle.iota(s, by, 1, true);
    }

    /** Σ v[i] over the lanes, in the fixed tree order above. */
    public static float sum(FloatVector v) {
        VectorSpecies<Float> s = v.species();
        if (s == S512) {
            v = v.add(v.rearrange(R16_8));
            v = v.add(v.rearrange(R16_4));
            v = v.add(v.rearrange(R16_2));
            return v.add(v.rearrange(R16_1)).lane(0);
        }
        if (s == S256) {
            v = v.add(v.rearrange(R8_4));
            v = v.add(v.rearrange(R8_2));
            return v.add(v.rearrange(R8_1)).lane(0);
        }
        if (s == S128) {
            v = v.add(v.rearrange(R4_2));
            return v.add(v.rearrange(R4_1)).lane(0);
        }
        float total = 0f; // other shapes (64-bit vectors): lane by lane
        for (int i = 0; i < v.length(); i++) total += v.lane(i);
        return total;
    }
}
