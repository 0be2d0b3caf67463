package dev.jllm.kernels;

/**
 * Rotary position embedding in Hugging Face's layout: within each head of size hd, dimension i is paired with
 * i + hd/2 (transformers' {@code rotate_half}), and the pair at position p is rotated by the angle p·θᵢ:
 * (a, b) → (a·cos − b·sin, b·cos + a·sin). The angles come as tables cos, sin [positions, hd/2].
 */
public final class RopeKernel {
    private RopeKernel() {}

    /**
     * x, y: [rows, heads·hd], row r at position {@code positions[r]}; y may be x. {@code inverse} rotates by −θ
     * (the backward of the rotation, which is orthogonal).
     */
    public static void rotate(float[] x, float[] y, int[] positions, int rows, int heads, int hd,
                              float[] cos, float[] sin, boolean inverse) {
        int half = hd / 2, c = heads * hd;
        Elementwise.forRows(rows, 3L * c, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int t = positions[r] * half;
                for (int h = 0; h < heads; h++) {
                    int at = r * c + h * hd;
                    for (int i = 0; i < half; i++) {
                        float cs = cos[t + i], sn = inverse ? -sin[t + i] : sin[t + i];
                        float a = x[at + i], b = x[at + half + i];
                        y[at + i] = a * cs - b * sn;
                        y[at + half + i] = b * cs + a * sn;
                    }
                }
            }
        });
    }
}
