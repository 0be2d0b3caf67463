package dev.jllm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * GELU with the tanh approximation GPT-2 uses: gelu(x) = ½·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³).
 *
 * <p>Computed as x·σ(2u) with σ the logistic function, since ½(1 + tanh(u)) = σ(2u) = 1 / (1 + exp(−2u)): one
 * vector exponential, and no cancellation in 1 + tanh(u) for large negative x.
 */
public final class GeluKernel {
    private GeluKernel() {}

    private static final VectorSpecies<Float> F = Elementwise.F;
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);
    private static final float COEFF = 0.044715f;
    /** −2·√(2/π): exp(−2u) = exp(M2K · (x + 0.044715·x³)). */
    private static final float M2K = -2f * SQRT_2_OVER_PI;
    private static final FloatVector ONE = FloatVector.broadcast(F, 1f);

    /** y[i] = gelu(x[i]) for i in [0, n); y may be x. */
    public static void forward(float[] x, float[] y, int n) {
        Elementwise.forChunks(n, (s, e) -> forwardRange(x, y, s, e));
    }

    private static void forwardRange(float[] x, float[] y, int s, int e) {
        int i = s;
        for (int u = s + Elementwise.vectorEnd(e - s); i < u; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector inner = v.mul(v).mul(v).mul(COEFF).add(v); // x + 0.044715·x³
            FloatVector den = VectorExp.exp(inner.mul(M2K)).add(1f);
            v.div(den).intoArray(y, i);
        }
        for (; i < e; i++) {
            float v = x[i];
            y[i] = v / (1f + (float) Math.exp(M2K * (v + COEFF * v * v * v)));
        }
    }

    /**
     * dx[i] += gelu'(x[i]) · dy[i] for i in [0, n). With s = σ(2u): gelu' = s + 2·x·s·(1 − s)·du/dx, where
     * du/dx = √(2/π)·(1 + 3·0.044715·x²) (the same as ½(1 + tanh u) + ½x·(1 − tanh²u)·du/dx).
     */
    public static void backward(float[] x, float[] dy, float[] dx, int n) {
        Elementwise.forChunks(n, (s, e) -> backwardRange(x, dy, dx, s, e));
    }

    private static void backwardRange(float[] x, float[] dy, float[] dx, int s, int e) {
        int i = s;
        for (int u = s + Elementwise.vectorEnd(e - s); i < u; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector v2 = v.mul(v);
            FloatVector sig = ONE.div(VectorExp.exp(v2.mul(v).mul(COEFF).add(v).mul(M2K)).add(1f));
            FloatVector du = v2.mul(3f * COEFF * SQRT_2_OVER_PI).add(SQRT_2_OVER_PI);
            // s + 2·x·s·(1 − s)·du
            FloatVector grad = v.mul(2f).mul(sig).mul(sig.neg().add(1f)).fma(du, sig);
            grad.fma(FloatVector.fromArray(F, dy, i), FloatVector.fromArray(F, dx, i)).intoArray(dx, i);
        }
        for (; i < e; i++) {
            float v = x[i];
            float sig = 1f / (1f + (float) Math.exp(M2K * (v + COEFF * v * v * v)));
            float du = SQRT_2_OVER_PI * (1f + 3f * COEFF * v * v);
            dx[i] += (sig + 2f * v * sig * (1f - sig) * du) * dy[i];
        }
    }
}
