package dev.jllm.train;

import java.util.random.RandomGenerator;

/**
 * A seeded random generator whose whole state is one {@code long}, so that a checkpoint can save it and a resumed
 * run draws exactly the numbers an uninterrupted run would have drawn (SplitMix64, as in {@link
 * java.util.SplittableRandom}, whose state Java does not expose).
 */
public final class ResumableRandom implements RandomGenerator {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private long state;

    public ResumableRandom(long seed) {
        this.state = seed;
    }

    @Override
    public long nextLong() {
        return mix(state += GOLDEN_GAMMA);
    }

    /** The {@code index}-th number (from 0) that a generator seeded with {@code seed} draws, without the ones before. */
    public static long nth(long seed, long index) {
        return mix(seed + GOLDEN_GAMMA * (index + 1));
    }

    /** The state of a generator in {@code state} after it drew {@code draws} more numbers. */
    public static long skip(long state, long draws) {
        return state + GOLDEN_GAMMA * draws;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The state to save; {@link #setState} with it continues the same sequence. */
    public long state() {
        return state;
    }

    public void setState(long state) {
        this.state = state;
    }
}
