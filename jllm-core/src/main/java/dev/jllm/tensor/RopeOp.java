package dev.jllm.tensor;

import dev.jllm.kernels.RopeKernel;

/** Rotary position embedding (see {@link RopeKernel} for the pairing). */
final class RopeOp {
    private RopeOp() {}

    // rope: x [B, T, heads·hd] → y [B, T, heads·hd]: row t of each batch at position start + t, each head's pair
    //   (i, i + hd/2) rotated by that position's angle θᵢ; cos, sin [positions, hd/2]. The rotation is orthogonal,
    //   so backward rotates dy by −θ: dx += R(−θ)·dy.
    static Tensor rope(Tensor x, int heads, float[] cos, float[] sin, int start) {
        Shapes.require(x.rank() == 3 && heads > 0 && x.dim(2) % heads == 0 && (x.dim(2) / heads) % 2 == 0,
                "rope: x " + x.shapeString() + " does not split into " + heads + " heads of an even size");
        int hd = x.dim(2) / heads, half = hd / 2, t = x.dim(1), rows = x.dim(0) * t;
        Shapes.require(cos.length == sin.length && cos.length % half == 0 && start >= 0
                        && (long) (start + t) * half <= cos.length,
                "rope: positions " + start + " .. " + (start + t - 1) + " are outside the angle tables ("
                        + cos.length / Math.max(half, 1) + " positions of " + half + ")");
        int[] positions = new int[rows];
        for (int r = 0; r < rows; r++) positions[r] = start + r % t;
        float[] y = Workspace.floats(x.size());
        RopeKernel.rotate(x.data(), y, positions, rows, heads, hd, cos, sin, false);
        return Tensor.result(y, x.shape(), g -> {
            float[] back = Workspace.floats(g.length);
            RopeKernel.rotate(g, back, positions, rows, heads, hd, cos, sin, true);
            float[] dx = x.gradOrCreate();
            for (int i = 0; i < dx.length; i++) dx[i] += back[i];
            Workspace.giveBack(back);
        }, x);
    }
}
