package dev.jllm.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Checks an op against its double-precision reference: the forward values, then the gradients of
 * L = Σ w ⊙ op(inputs) (w random) from backward, against central finite differences of the same L computed
 * with the reference in double precision.
 */
final class GradCheck {
    private GradCheck() {}

    /** Relative error max|a − b| / max(max|b|, 1e-12). */
    static double relErr(float[] a, double[] b) {
        assertThat(a).hasSize(b.length);
        double diff = 0, scale = 1e-12;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }

    static double relErr(float[] a, float[] b) {
        double[] d = new double[b.length];
        for (int i = 0; i < b.length; i++) d[i] = b[i];
        return relErr(a, d);
    }

    static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    static Tensor param(Random rnd, int... shape) {
        return Tensor.of(random(rnd, Math.toIntExact(Tensor.numel(shape))), shape).requiresGrad(true);
    }

    static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }

    /**
     * Runs {@code op} on {@code inputs} and compares with {@code ref} (forward within {@code fwdTol}); then
     * checks the gradient of every input that requires one within {@code gradTol}, at up to 60 sampled
     * elements per input.
     */
    static void check(String label, List<Tensor> inputs, Function<List<Tensor>, Tensor> op,
                      Function<double[][], double[]> ref, double fwdTol, double gradTol) {
        Random rnd = new Random(label.hashCode());
        for (Tensor t : inputs) t.zeroGrad();
        Tensor out = op.apply(inputs);
        double[][] x = new double[inputs.size()][];
        for (int i = 0; i < x.length; i++) x[i] = toDouble(inputs.get(i).data());
        double[] expected = ref.apply(x);
        assertThat(relErr(out.data(), expected)).as(label + " forward").isLessThan(fwdTol);

        float[] w = random(rnd, out.size());
        Ops.sum(Ops.mul(out, Tensor.of(w, out.shape()))).backward();
        for (int t = 0; t < inputs.size(); t++) {
            Tensor in = inputs.get(t);
            if (!in.requiresGrad()) continue;
            int n = in.size();
            int samples = Math.min(n, 60);
            float[] analytic = new float[samples];
            double[] numeric = new double[samples];
            for (int s = 0; s < samples; s++) {
                int i = samples == n ? s : rnd.nextInt(n);
                double h = 1e-6 * Math.max(1, Math.abs(x[t][i]));
                double keep = x[t][i];
                x[t][i] = keep + h;
                double plus = weighted(w, ref.apply(x));
                x[t][i] = keep - h;
                double minus = weighted(w, ref.apply(x));
                x[t][i] = keep;
                numeric[s] = (plus - minus) / (2 * h);
                analytic[s] = in.grad() == null ? 0f : in.grad()[i];
            }
            assertThat(relErr(analytic, numeric)).as(label + " gradient of input " + t).isLessThan(gradTol);
        }
    }

    private static double weighted(float[] w, double[] y) {
        double s = 0;
        for (int i = 0; i < y.length; i++) s += w[i] * y[i];
        return s;
    }
}
