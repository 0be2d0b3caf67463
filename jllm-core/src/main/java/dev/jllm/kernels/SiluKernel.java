package dev.jllm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** SiLU (swish), the gate activation of SwiGLU: silu(x) = x·σ(x) = x / (1 + exp(−x)). */
public final class SiluKernel {
    private SiluKernel() {}

    private static final VectorSpecies<Float> F = Elementwise.F;
    private static final FloatVector ONE = FloatVector.broadcast(F, 1f);

    /** y[i] = silu(x[i]) for i in [0, n); y may be x. */
    public static void forward(float[] x, float[] y, int n) {
        Elementwise.forChunks(n, (s, e) -> {
            int i = s;
            for (int u = s + Elementwise.vectorEnd(e - s); i < u; i += F.length()) {
                FloatVector v = FloatVector.fromArray(F, x, i);
                v.div(VectorExp.exp(v.neg()).add(1f)).intoArray(y, i);
            }
            for (; i < e; i++) y[i] = x[i] / (1f + (float) Math.exp(-x[i]));
        });
    }

    /** dx[i] += silu'(x[i]) · dy[i], with silu' = σ(x)·(1 + x·(1 − σ(x))). */
    public static void backward(float[] x, float[] dy, float[] dx, int n) {
        Elementwise.forChunks(n, (s, e) -> {
            int i = s;
            for (int u = s + Elementwise.vectorEnd(e - s); i < u; i += F.length()) {
                FloatVector v = FloatVector.fromArray(F, x, i);
                FloatVector sig = ONE.div(VectorExp.exp(v.neg()).add(1f));
                FloatVector grad = v.mul(sig.neg().add(1f)).add(1f).mul(sig);
                grad.fma(FloatVector.fromArray(F, dy, i), FloatVector.fromArray(F, dx, i)).intoArray(dx, i);
            }
            for (; i < e; i++) {
                float sig = 1f / (1f + (float) Math.exp(-x[i]));
                dx[i] += sig * (1f + x[i] * (1f - sig)) * dy[i];
            }
        });
    }
}
