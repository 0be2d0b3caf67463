package dev.jllm.tensor;

import dev.jllm.kernels.Elementwise;

/** Reductions of a whole tensor to a scalar. */
final class ReduceOps {
    private ReduceOps() {}

    // sum: x [...] → y [] = Σ x; dx += dy (broadcast).
    static Tensor sum(Tensor x) {
        float[] y = {(float) total(x.data())};
        return Tensor.result(y, new int[0], g -> addConstant(x, g[0]), x);
    }

    // mean: x [...] → y [] = Σ x / n; dx += dy / n.
    static Tensor mean(Tensor x) {
        int n = x.size();
        Shapes.require(n > 0, "mean: empty tensor " + x.shapeString());
        float[] y = {(float) (total(x.data()) / n)};
        return Tensor.result(y, new int[0], g -> addConstant(x, g[0] / n), x);
    }

    /** Sum in double over fixed-size blocks, so the result does not depend on the thread count. */
    private static double total(float[] x) {
        double s = 0;
        for (int i = 0; i < x.length; i += 4096) s += Elementwise.sum(x, i, Math.min(4096, x.length - i));
        return s;
    }

    private static void addConstant(Tensor x, float c) {
        float[] dx = x.gradOrCreate();
        for (int i = 0; i < dx.length; i++) dx[i] += c;
    }
}
