package dev.jllm.optim;

import dev.jllm.tensor.Tensor;

/** Global-norm gradient clipping, as {@code torch.nn.utils.clip_grad_norm_} does it. */
public final class GradClip {
    private GradClip() {}

    /**
     * The L2 norm of all gradients taken together (parameters without a gradient are left out).
     * Summed in double, so that millions of squares do not lose the small ones.
     */
    public static double globalNorm(Iterable<Tensor> params) {
        double sum = 0;
        for (Tensor p : params) {
            float[] g = p.grad();
            if (g == null) continue;
            for (float x : g) sum += (double) x * x;
        }
        return Math.sqrt(sum);
    }

    /**
     * Scales all gradients by {@code maxNorm / (norm + 1e-6)} when that is below one, so that their global norm
     * becomes (just under) {@code maxNorm}.
     *
     * @return the global norm before clipping (useful to log, and non-finite when a gradient blew up)
     */
    public static double clipGlobalNorm(Iterable<Tensor> params, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("clip norm must be positive: " + maxNorm);
        double norm = globalNorm(params);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1.0) {
            float c = (float) coef;
            for (Tensor p : params) {
                float[] g = p.grad();
                if (g == null) continue;
                for (int i = 0; i < g.length; i++) g[i] *= c;
            }
        }
        return norm;
    }
}
