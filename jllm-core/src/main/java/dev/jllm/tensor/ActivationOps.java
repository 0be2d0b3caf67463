package dev.jllm.tensor;

import dev.jllm.kernels.GeluKernel;
import dev.jllm.kernels.SiluKernel;
import dev.jllm.kernels.SoftmaxKernel;

/** GELU, SiLU, soft-capping, log-sigmoid and the softmax family (over the last dimension). */
final class ActivationOps {
    private ActivationOps() {}

    // gelu: y = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), elementwise; dx += gelu'(x) · dy.
    static Tensor gelu(Tensor x) {
        float[] y = Workspace.floats(x.size());
        GeluKernel.forward(x.data(), y, y.length);
        return Tensor.result(y, x.shape(), g -> GeluKernel.backward(x.data(), g, x.gradOrCreate(), g.length), x);
    }

    // silu: y = x·σ(x), elementwise; dx += σ(x)·(1 + x·(1 − σ(x))) · dy.
    static Tensor silu(Tensor x) {
        float[] y = Workspace.floats(x.size());
        SiluKernel.forward(x.data(), y, y.length);
        return Tensor.result(y, x.shape(), g -> SiluKernel.backward(x.data(), g, x.gradOrCreate(), g.length), x);
    }

    // softCap: y = cap·tanh(x / cap), elementwise (Gemma's logit soft-capping); dx += (1 − (y / cap)²) · dy.
    static Tensor softCap(Tensor x, float cap) {
        Shapes.require(cap > 0f, "softCap: cap must be positive, got " + cap);
        float[] xs = x.data(), y = Workspace.floats(x.size());
        for (int i = 0; i < y.length; i++) y[i] = cap * (float) Math.tanh(xs[i] / cap);
        return Tensor.result(y, x.shape(), g -> {
            float[] dx = x.gradOrCreate();
            for (int i = 0; i < dx.length; i++) {
                float t = y[i] / cap;
                dx[i] += (1f - t * t) * g[i];
            }
        }, x);
    }

    // softmax: x [..., N] → y [..., N] = exp(x − max) / Σ exp(x − max); dx += y ⊙ (dy − Σ dy ⊙ y).
    static Tensor softmax(Tensor x) {
        int n = x.dim(-1), rows = x.size() / Math.max(n, 1);
        float[] y = Workspace.floats(x.size());
        SoftmaxKernel.softmax(x.data(), y, rows, n);
        return Tensor.result(y, x.shape(), g -> SoftmaxKernel.softmaxBackward(y, g, x.gradOrCreate(), rows, n), x);
    }

    // logSoftmax: x [..., N] → y [..., N] = x − log Σ exp(x); dx += dy − softmax(x) · Σ dy.
    static Tensor logSoftmax(Tensor x) {
        int n = x.dim(-1), rows = x.size() / Math.max(n, 1);
        float[] y = Workspace.floats(x.size());
        SoftmaxKernel.logSoftmax(x.data(), y, rows, n);
        return Tensor.result(y, x.shape(), g -> SoftmaxKernel.logSoftmaxBackward(y, g, x.gradOrCreate(), rows, n), x);
    }

    // logSigmoid: y = log σ(x) = min(x, 0) − log(1 + exp(−|x|)) (no overflow either way), elementwise;
    // dx += σ(−x) · dy.
    static Tensor logSigmoid(Tensor x) {
        float[] xs = x.data(), y = Workspace.floats(x.size());
        for (int i = 0; i < y.length; i++) y[i] = (float) (Math.min(xs[i], 0) - Math.log1p(Math.exp(-Math.abs(xs[i]))));
        return Tensor.result(y, x.shape(), g -> {
            float[] dx = x.gradOrCreate();
            for (int i = 0; i < dx.length; i++) dx[i] += g[i] / (1 + (float) Math.exp(xs[i]));
        }, x);
    }
}
