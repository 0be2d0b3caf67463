package dev.jllm.tensor;

import dev.jllm.kernels.DropoutKernel;

/**
 * Plain-loop reference implementations of the ops in double precision: the oracle for the forward values and,
 * through finite differences, for the gradients. Written for clarity, not speed; shapes are explicit.
 */
final class Ref {
    private Ref() {}

    /** y [m, out] = x [m, in] · w [out, in]ᵀ + b [out] (b may be null). */
    static double[] linear(double[] x, double[] w, double[] b, int m, int in, int out) {
        double[] y = new double[m * out];
        for (int i = 0; i < m; i++)
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int p = 0; p < in; p++) s += x[i * in + p] * w[o * in + p];
                y[i * out + o] = s;
            }
        return y;
    }

    /** y [batches, m, n] = a [batches, m, k] · b [batches or 1, k, n]. */
    static double[] matmul(double[] a, double[] b, int batches, boolean shared, int m, int k, int n) {
        double[] y = new double[batches * m * n];
        for (int p = 0; p < batches; p++) {
            int bo = shared ? 0 : p * k * n;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) s += a[p * m * k + i * k + q] * b[bo + q * n + j];
                    y[p * m * n + i * n + j] = s;
                }
        }
        return y;
    }

    static double[] embedding(double[] w, int[] ids, int c) {
        double[] y = new double[ids.length * c];
        for (int i = 0; i < ids.length; i++) System.arraycopy(w, ids[i] * c, y, i * c, c);
        return y;
    }

    static double[] layerNorm(double[] x, double[] g, double[] b, double eps, int c) {
        int rows = x.length / c;
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double mean = 0, var = 0;
            for (int i = 0; i < c; i++) mean += x[r * c + i];
            mean /= c;
            for (int i = 0; i < c; i++) var += (x[r * c + i] - mean) * (x[r * c + i] - mean);
            var /= c;
            for (int i = 0; i < c; i++) y[r * c + i] = (x[r * c + i] - mean) / Math.sqrt(var + eps) * g[i] + b[i];
        }
        return y;
    }

    static double[] gelu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            y[i] = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
        }
        return y;
    }

    static double[] softmax(double[] x, int n) {
        double[] y = logSoftmax(x, n);
        for (int i = 0; i < y.length; i++) y[i] = Math.exp(y[i]);
        return y;
    }

    static double[] logSoftmax(double[] x, int n) {
        double[] y = new double[x.length];
        for (int r = 0; r < x.length / n; r++) {
            double max = Double.NEGATIVE_INFINITY, s = 0;
            for (int i = 0; i < n; i++) max = Math.max(max, x[r * n + i]);
            for (int i = 0; i < n; i++) s += Math.exp(x[r * n + i] - max);
            double lse = max + Math.log(s);
            for (int i = 0; i < n; i++) y[r * n + i] = x[r * n + i] - lse;
        }
        return y;
    }

    /**
     * Multi-head causal attention with an explicit T×T weight matrix per head; q [b, tq, c], k and v [b, tk, c];
     * dropout decisions from the same counter hash as the kernel, under {@code seed}.
     */
    static double[] attention(double[] q, double[] k, double[] v, int bs, int tq, int tk, int c, int heads,
                              float dropP, long seed) {
        int hd = c / heads;
        double[] y = new double[bs * tq * c];
        for (int b = 0; b < bs; b++)
            for (int h = 0; h < heads; h++) {
                int pair = b * heads + h;
                for (int i = 0; i < tq; i++) {
                    int last = i + tk - tq;
                    double[] w = new double[last + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= last; j++) {
                        double s = 0;
                        for (int d = 0; d < hd; d++) s += q[(b * tq + i) * c + h * hd + d] * k[(b * tk + j) * c + h * hd + d];
                        w[j] = s / Math.sqrt(hd);
                        max = Math.max(max, w[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= last; j++) sum += (w[j] = Math.exp(w[j] - max));
                    for (int j = 0; j <= last; j++) {
                        double p = w[j] / sum;
                        if (dropP > 0) {
                            p = DropoutKernel.kept(seed, ((long) pair * tq + i) * tk + j, dropP) ? p / (1 - dropP) : 0;
                        }
                        for (int d = 0; d < hd; d++) y[(b * tq + i) * c + h * hd + d] += p * v[(b * tk + j) * c + h * hd + d];
                    }
                }
            }
        return y;
    }

    /** Mean over non-ignored rows of −log softmax(logits)[target]. */
    static double crossEntropy(double[] logits, int[] targets, int ignore, int v) {
        double[] lp = logSoftmax(logits, v);
        double s = 0;
        int n = 0;
        for (int r = 0; r < targets.length; r++) {
            if (targets[r] == ignore) continue;
            s -= lp[r * v + targets[r]];
            n++;
        }
        return s / n;
    }

    /** a [reps·n] (op) b [n] repeated, or equal sizes (reps = 1). */
    static double[] add(double[] a, double[] b) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) y[i] = a[i] + b[i % b.length];
        return y;
    }

    static double[] mul(double[] a, double[] b) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) y[i] = a[i] * b[i % b.length];
        return y;
    }

    static double[] dropout(double[] x, float p, long seed) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = DropoutKernel.kept(seed, i, p) ? x[i] / (1 - p) : 0;
        return y;
    }

    /** x [pre, a, mid, b, post] → [pre, b, mid, a, post]. */
    static double[] transpose(double[] x, int pre, int a, int mid, int b, int post) {
        double[] y = new double[x.length];
        for (int p = 0; p < pre; p++)
            for (int i = 0; i < a; i++)
                for (int m = 0; m < mid; m++)
                    for (int j = 0; j < b; j++)
                        for (int e = 0; e < post; e++)
                            y[(((p * b + j) * mid + m) * a + i) * post + e] = x[(((p * a + i) * mid + m) * b + j) * post + e];
        return y;
    }

    /** x [pre, n, post] → x[:, start:start+len, :]. */
    static double[] narrow(double[] x, int pre, int n, int post, int start, int len) {
        double[] y = new double[pre * len * post];
        for (int p = 0; p < pre; p++)
            for (int i = 0; i < len; i++)
                for (int e = 0; e < post; e++) y[(p * len + i) * post + e] = x[(p * n + start + i) * post + e];
        return y;
    }

    static double sum(double[] x) {
        double s = 0;
        for (double v : x) s += v;
        return s;
    }
}
