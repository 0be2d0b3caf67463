package dev.jllm.kernels;

/**
 * GELU with the tanh approximation GPT-2 uses:
 * gelu(x) = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
 */
public final class GeluKernel {
    private GeluKernel() {}

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);
    private static final float COEFF = 0.044715f;

    /** y[i] = gelu(x[i]) for i in [0, n). */
    public static void forward(float[] x, float[] y, int n) {
        Elementwise.forChunks(n, (s, e) -> {
            for (int i = s; i < e; i++) {
                float v = x[i];
                float u = SQRT_2_OVER_PI * (v + COEFF * v * v * v);
                y[i] = 0.5f * v * (1f + (float) Math.tanh(u));
            }
        });
    }

    /** dx[i] += gelu'(x[i]) · dy[i] for i in [0, n). */
    public static void backward(float[] x, float[] dy, float[] dx, int n) {
        Elementwise.forChunks(n, (s, e) -> {
            for (int i = s; i < e; i++) {
                float v = x[i];
                float u = SQRT_2_OVER_PI * (v + COEFF * v * v * v);
                float t = (float) Math.tanh(u);
                // d/dx of ½x(1+t): ½(1+t) + ½x·(1-t²)·du/dx, with du/dx = √(2/π)(1 + 3·0.044715·x²)
                float sech2 = 1f - t * t;
                float du = SQRT_2_OVER_PI * (1f + 3f * COEFF * v * v);
                dx[i] += (0.5f * (1f + t) + 0.5f * v * sech2 * du) * dy[i];
            }
        });
    }
}
