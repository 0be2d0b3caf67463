package dev.jllm.kernels;

/**
 * Inverted dropout whose keep/drop decisions come from a counter-based hash of (seed, element index) rather
 * than a stored mask: forward and backward recompute the same decisions, any thread can do any element, and
 * the result does not depend on how the work was split.
 */
public final class DropoutKernel {
    private DropoutKernel() {}

    /** Whether element {@code counter} survives dropout with probability {@code p} of dropping, under {@code seed}. */
    public static boolean kept(long seed, long counter, float p) {
        // SplitMix64's finaliser over seed + counter·golden ratio: a fresh well-mixed 64-bit word per element.
        long x = seed + (counter + 1) * 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        x ^= x >>> 31;
        return (x >>> 40) * 0x1.0p-24f >= p;
    }

    /** y[i] = x[i] / (1 − p) where kept, else 0, for i in [0, n). */
    public static void forward(float[] x, float[] y, int n, float p, long seed) {
        float keepScale = 1f / (1f - p);
        Elementwise.forChunks(n, (s, e) -> {
            for (int i = s; i < e; i++) y[i] = kept(seed, i, p) ? x[i] * keepScale : 0f;
        });
    }

    /** dx[i] += dy[i] / (1 − p) where kept, for i in [0, n). */
    public static void backward(float[] dy, float[] dx, int n, float p, long seed) {
        float keepScale = 1f / (1f - p);
        Elementwise.forChunks(n, (s, e) -> {
            for (int i = s; i < e; i++) if (kept(seed, i, p)) dx[i] += dy[i] * keepScale;
        });
    }
}
