package dev.jllm.optim;

import dev.jllm.kernels.Parallel;
import dev.jllm.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW exactly as PyTorch's {@code torch.optim.AdamW} defines it (Loshchilov and Hutter's decoupled weight decay).
 *
 * <p>For every parameter with a gradient, one step does, element by element:
 * <pre>
 *   p  -= lr * weightDecay * p                      (decoupled decay, before the Adam update)
 *   m   = beta1 * m + (1 - beta1) * g
 *   v   = beta2 * v + (1 - beta2) * g * g
 *   p  -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * where {@code t} counts the steps this parameter took. The state arrays {@code m} and {@code v} live beside the
 * parameters, allocated once. A parameter that does not require a gradient (frozen) or has no gradient yet is skipped
 * and its step count does not move, as in PyTorch.
 */
public final class AdamW {

    /** Which parameters get weight decay. */
    public enum DecayRule {
        /** Every parameter, as {@code torch.optim.AdamW(model.parameters(), weight_decay=...)} in the book. */
        ALL,
        /** Only tensors of rank two or more (matrices, embeddings); biases and norm gains are not decayed (nanoGPT). */
        MATRICES_ONLY
    }

    /**
     * @param beta1       decay of the first moment (0.9)
     * @param beta2       decay of the second moment (0.999)
     * @param eps         added to the denominator (1e-8)
     * @param weightDecay decoupled weight decay factor (PyTorch's default 0.01; the book uses 0.1)
     * @param decayRule   which parameters are decayed
     */
    public record Options(double beta1, double beta2, double eps, double weightDecay, DecayRule decayRule) {
        public Options {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("AdamW betas must be in [0, 1): " + beta1 + ", " + beta2);
            }
            if (!(eps > 0)) throw new IllegalArgumentException("AdamW eps must be positive: " + eps);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0: " + weightDecay);
        }

        /** PyTorch's defaults with the given weight decay, applied to every parameter. */
        public static Options withWeightDecay(double weightDecay) {
            return new Options(0.9, 0.999, 1e-8, weightDecay, DecayRule.ALL);
        }

        public Options withDecayRule(DecayRule rule) {
            return new Options(beta1, beta2, eps, weightDecay, rule);
        }
    }

    /** Below this many values a parameter is updated on the calling thread (forking costs more than it saves). */
    private static final int PARALLEL_MIN = 1 << 15;

    private final Options options;
    private final List<String> names = new ArrayList<>();
    private final List<Tensor> params = new ArrayList<>();
    private final List<float[]> expAvg = new ArrayList<>();
    private final List<float[]> expAvgSq = new ArrayList<>();
    private final long[] steps;

    /** @param namedParams the parameters to optimize, by name, in a stable order (the model's parameter order) */
    public AdamW(Map<String, Tensor> namedParams, Options options) {
        this.options = options;
        namedParams.forEach((name, p) -> {
            names.add(name);
            params.add(p);
            expAvg.add(new float[p.size()]);
            expAvgSq.add(new float[p.size()]);
        });
        this.steps = new long[params.size()];
    }

    public Options options() {
        return options;
    }

    /** Applies one update with learning rate {@code lr} to every parameter that requires and has a gradient. */
    public void step(double lr) {
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            float[] g = p.grad();
            if (!p.requiresGrad() || g == null) continue;
            long t = ++steps[i];
            boolean decay = options.decayRule() == DecayRule.ALL || p.rank() >= 2;
            update(p.data(), g, expAvg.get(i), expAvgSq.get(i), t, lr, decay ? options.weightDecay() : 0.0);
        }
    }

    /** The per-element update of one parameter; scalars are computed once in double, the loop runs in float. */
    private void update(float[] p, float[] g, float[] m, float[] v, long t, double lr, double weightDecay) {
        float decayFactor = (float) (1.0 - lr * weightDecay);
        float b1 = (float) options.beta1(), b2 = (float) options.beta2();
        float oneMinusB1 = (float) (1.0 - options.beta1()), oneMinusB2 = (float) (1.0 - options.beta2());
        float stepSize = (float) (lr / (1.0 - Math.pow(options.beta1(), t)));
        float invBias2Sqrt = (float) (1.0 / Math.sqrt(1.0 - Math.pow(options.beta2(), t)));
        float eps = (float) options.eps();
        Parallel.RangeBody body = (start, end) -> {
            for (int j = start; j < end; j++) {
                float gj = g[j];
                float mj = b1 * m[j] + oneMinusB1 * gj;
                float vj = b2 * v[j] + oneMinusB2 * gj * gj;
                m[j] = mj;
                v[j] = vj;
                p[j] = p[j] * decayFactor - stepSize * mj / ((float) Math.sqrt(vj) * invBias2Sqrt + eps);
            }
        };
        if (p.length < PARALLEL_MIN) body.run(0, p.length);
        else Parallel.forRange(p.length, body);
    }

    /** Zeroes the gradient of every parameter (those that have one). */
    public void zeroGrad() {
        for (Tensor p : params) p.zeroGrad();
    }

    /** The parameters this optimizer updates, by name, in order. */
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) out.put(names.get(i), params.get(i));
        return out;
    }

    /**
     * The moment estimates, named {@code <param>.exp_avg} and {@code <param>.exp_avg_sq} (shapes of their
     * parameters), for a checkpoint. The tensors wrap the live state arrays: write them out, do not keep them.
     */
    public Map<String, Tensor> stateTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            int[] shape = params.get(i).shape();
            out.put(names.get(i) + ".exp_avg", Tensor.of(expAvg.get(i), shape));
            out.put(names.get(i) + ".exp_avg_sq", Tensor.of(expAvgSq.get(i), shape));
        }
        return out;
    }

    /** How many updates each parameter took, by name (the {@code t} of the bias correction). */
    public Map<String, Long> stepCounts() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) out.put(names.get(i), steps[i]);
        return out;
    }

    /**
     * Restores the state saved by {@link #stateTensors()} and {@link #stepCounts()}.
     *
     * @throws IllegalArgumentException naming the parameter whose state is missing or has the wrong size
     */
    public void loadState(Map<String, Tensor> tensors, Map<String, Long> stepCounts) {
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            copyInto(tensors, name + ".exp_avg", expAvg.get(i));
            copyInto(tensors, name + ".exp_avg_sq", expAvgSq.get(i));
            Long t = stepCounts.get(name);
            if (t == null || t < 0) throw new IllegalArgumentException("optimizer state has no step count for " + name);
            steps[i] = t;
        }
    }

    private static void copyInto(Map<String, Tensor> tensors, String key, float[] dst) {
        Tensor src = tensors.get(key);
        if (src == null) throw new IllegalArgumentException("optimizer state is missing tensor " + key);
        if (src.size() != dst.length) {
            throw new IllegalArgumentException("optimizer state tensor " + key + " has " + src.size()
                    + " values, the parameter has " + dst.length);
        }
        System.arraycopy(src.data(), 0, dst, 0, dst.length);
    }
}
