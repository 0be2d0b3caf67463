package dev.jllm.tensor;

import dev.jllm.kernels.LayerNormKernel;
import dev.jllm.kernels.RmsNormKernel;

/** Layer normalisation and RMS normalisation over the last dimension. */
final class NormOps {
    private NormOps() {}

    // layerNorm: x [..., C], gamma [C], beta [C] → y [..., C] = (x − mean) / √(var + eps) · gamma + beta,
    // with the biased variance; saves mean and 1/√(var + eps) per row [rows] for backward.
    static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        int c = x.dim(-1);
        Shapes.require(gamma.rank() == 1 && gamma.dim(0) == c && beta.rank() == 1 && beta.dim(0) == c,
                "layerNorm: input " + x.shapeString() + " needs gamma and beta of [" + c + "], got "
                        + gamma.shapeString() + " and " + beta.shapeString());
        int rows = x.size() / Math.max(c, 1);
        boolean rec = Tensor.recording(x, gamma, beta);
        float[] y = Workspace.floats(x.size());
        float[] mean = rec ? Workspace.floats(rows) : null, rstd = rec ? Workspace.floats(rows) : null;
        LayerNormKernel.forward(x.data(), gamma.data(), beta.data(), eps, y, mean, rstd, rows, c);
        return Tensor.result(y, x.shape(), g -> LayerNormKernel.backward(x.data(), gamma.data(), mean, rstd, g,
                x.requiresGrad() ? x.gradOrCreate() : null,
                gamma.requiresGrad() ? gamma.gradOrCreate() : null,
                beta.requiresGrad() ? beta.gradOrCreate() : null, rows, c), x, gamma, beta);
    }

    // rmsNorm: x [..., C], w [C] → y [..., C] = x / √(mean(x²) + eps) · (offset + w); saves 1/√(mean(x²) + eps)
    // per row [rows] for backward. Offset 0: Llama's and Qwen's RMSNorm; offset 1: Gemma's (1 + w).
    static Tensor rmsNorm(Tensor x, Tensor w, float offset, float eps) {
        int c = x.dim(-1);
        Shapes.require(w.rank() == 1 && w.dim(0) == c,
                "rmsNorm: input " + x.shapeString() + " needs a weight of [" + c + "], got " + w.shapeString());
        int rows = x.size() / Math.max(c, 1);
        boolean rec = Tensor.recording(x, w);
        float[] y = Workspace.floats(x.size());
        float[] rstd = rec ? Workspace.floats(rows) : null;
        RmsNormKernel.forward(x.data(), w.data(), offset, eps, y, rstd, rows, c);
        return Tensor.result(y, x.shape(), g -> RmsNormKernel.backward(x.data(), w.data(), offset, rstd, g,
                x.requiresGrad() ? x.gradOrCreate() : null, w.requiresGrad() ? w.gradOrCreate() : null, rows, c), x, w);
    }
}
