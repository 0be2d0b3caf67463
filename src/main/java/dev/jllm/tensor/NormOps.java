package dev.jllm.tensor;

import dev.jllm.kernels.LayerNormKernel;

/** Layer normalisation over the last dimension. */
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
}
