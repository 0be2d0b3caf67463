package dev.jllm.tensor;

import dev.jllm.kernels.Bf16;
import dev.jllm.kernels.Elementwise;
import dev.jllm.kernels.MatMul;
import dev.jllm.kernels.quant.QuantizedMatmul;

/** Matrix products, all through the {@link MatMul} kernels. */
final class LinearOps {
    private LinearOps() {}

    // linear: x [..., in] · w [out, in]ᵀ + b [out] → y [..., out]   (W stored [out, in] like PyTorch's Linear)
    // backward, with x flattened to [M, in]: dx += dy · w, dw += dyᵀ · x, db += Σ_rows dy.
    // A bfloat16 w (read-only, so never a dw) is read in place, widened as the products use it; a quantized w
    // (ggml blocks, read-only) likewise, dequantized a tile of rows at a time (QuantizedMatmul).
    static Tensor linear(Tensor x, Tensor w, Tensor b) {
        Shapes.require(w.rank() == 2, "linear: weight must be [out, in], got " + w.shapeString());
        int in = w.dim(1), out = w.dim(0);
        Shapes.require(x.rank() >= 1 && x.dim(-1) == in,
                "linear: input " + x.shapeString() + " does not match weight " + w.shapeString() + " (last dim must be " + in + ")");
        Shapes.require(b == null || (b.rank() == 1 && b.dim(0) == out),
                "linear: bias " + (b == null ? "" : b.shapeString()) + " does not match weight " + w.shapeString());
        int m = x.size() / Math.max(in, 1);
        int[] ys = x.shape();
        ys[ys.length - 1] = out;
        float[] y = Workspace.floats(m * out);
        if (w.isBf16()) Bf16.xwt(x.data(), 0, w.bf16Values(), b == null ? null : b.data(), y, 0, m, in, out);
        else if (w.isQuantized()) QuantizedMatmul.xwt(x.data(), 0, w.quantizedValues(), b == null ? null : b.data(), y, 0, m);
        else MatMul.xwt(x.data(), 0, w.data(), 0, b == null ? null : b.data(), y, 0, m, in, out);
        return Tensor.result(y, ys, g -> {
            if (x.requiresGrad()) inputGradient(g, w, x.gradOrCreate(), m);
            if (w.requiresGrad()) MatMul.dytx(g, 0, x.data(), 0, w.gradOrCreate(), 0, m, out, in);
            if (b != null && b.requiresGrad()) Elementwise.sumRowsInto(g, 0, m, out, b.gradOrCreate(), 0);
        }, x, w, b);
    }

    /** dx [m, in] += dy [m, out] · w [out, in], w float32, bfloat16 or quantized. */
    private static void inputGradient(float[] dy, Tensor w, float[] dx, int m) {
        int out = w.dim(0), in = w.dim(1);
        if (w.isBf16()) Bf16.dyw(dy, 0, w.bf16Values(), dx, 0, m, out, in);
        else if (w.isQuantized()) QuantizedMatmul.dyw(dy, 0, w.quantizedValues(), dx, 0, m);
        else MatMul.dyw(dy, 0, w.data(), 0, dx, 0, m, out, in);
    }

    // linearLoRA: linear(x, w, bias) + (s · (x · a)) · b with a LoRA adapter a [in, r], b [r, out], s = alpha / r,
    // added into the linear's own output: one [..., out] result where linear, two matmuls, scale and add made four
    // (what decides a LoRA step's memory: every result lives until the step ends).
    // backward, x flattened to [M, in], u = s·(x·a) [M, r] kept from the forward pass: db += uᵀ · dy;
    // du = s · (dy · bᵀ); da += xᵀ · du; dx += dy · w + du · aᵀ; dw += dyᵀ · x; dbias += Σ_rows dy.
    static Tensor linearLoRA(Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, float s) {
        int in = w.dim(1), out = w.dim(0), r = a.dim(1);
        Shapes.require(a.rank() == 2 && a.dim(0) == in && b.rank() == 2 && b.dim(0) == r && b.dim(1) == out,
                "linearLoRA: adapters " + a.shapeString() + " and " + b.shapeString() + " do not fit weight " + w.shapeString());
        Tensor plain = linear(x, w, bias); // checks x, w and bias; its graph node is not kept
        int m = plain.size() / Math.max(out, 1);
        float[] y = plain.data();
        float[] at = Workspace.floats(r * in); // aᵀ [r, in], the layout MatMul wants
        transpose(a.data(), 0, at, 0, in, r, false);
        float[] u = Workspace.floats(m * r);
        MatMul.xwt(x.data(), 0, at, 0, null, u, 0, m, in, r);
        Elementwise.scale(s, u, 0, u, 0, m * r);
        MatMul.dyw(u, 0, b.data(), 0, y, 0, m, r, out); // y += u · b
        return Tensor.result(y, plain.shape(), g -> {
            if (b.requiresGrad()) MatMul.dytx(u, 0, g, 0, b.gradOrCreate(), 0, m, r, out);
            if (a.requiresGrad() || x.requiresGrad()) {
                float[] du = Workspace.floats(m * r);
                MatMul.xwt(g, 0, b.data(), 0, null, du, 0, m, out, r);
                Elementwise.scale(s, du, 0, du, 0, m * r);
                if (a.requiresGrad()) MatMul.dytx(x.data(), 0, du, 0, a.gradOrCreate(), 0, m, in, r);
                if (x.requiresGrad()) MatMul.dyw(du, 0, at, 0, x.gradOrCreate(), 0, m, r, in);
                Workspace.giveBack(du);
            }
            if (x.requiresGrad()) inputGradient(g, w, x.gradOrCreate(), m);
            if (w.requiresGrad()) MatMul.dytx(g, 0, x.data(), 0, w.gradOrCreate(), 0, m, out, in);
            if (bias != null && bias.requiresGrad()) Elementwise.sumRowsInto(g, 0, m, out, bias.gradOrCreate(), 0);
        }, x, w, bias, a, b);
    }

    // matmul: a [..., M, K] · b [..., K, N] → y [..., M, N], batched over the leading dimensions, which must
    // be equal (or b is a plain [K, N] shared by every batch).
    // Per batch, with bt = bᵀ [N, K] kept from the forward: da += dy · bᵀ = dyw(dy, bt); dbᵀ += dyᵀ · a = dytx(dy, a).
    static Tensor matmul(Tensor a, Tensor b) {
        Shapes.require(a.rank() >= 2 && b.rank() >= 2,
                "matmul: need rank >= 2, got " + a.shapeString() + " and " + b.shapeString());
        int m = a.dim(-2), k = a.dim(-1), n = b.dim(-1);
        int batches = a.size() / Math.max(m * k, 1);
        boolean shared = b.rank() == 2;
        boolean sameBatch = a.rank() == b.rank();
        for (int i = 0; sameBatch && i < a.rank() - 2; i++) sameBatch = a.dim(i) == b.dim(i);
        Shapes.require(b.dim(-2) == k && (shared || sameBatch),
                "matmul: shapes " + a.shapeString() + " and " + b.shapeString() + " do not multiply");
        int bBatches = shared ? 1 : batches;
        // bᵀ per batch: [N, K], the layout MatMul wants for its right operand.
        float[] bt = Workspace.floats(b.size());
        for (int p = 0; p < bBatches; p++) transpose(b.data(), p * k * n, bt, p * k * n, k, n, false);
        int[] ys = a.shape();
        ys[ys.length - 1] = n;
        float[] y = Workspace.floats(batches * m * n);
        for (int p = 0; p < batches; p++) {
            MatMul.xwt(a.data(), p * m * k, bt, shared ? 0 : p * k * n, null, y, p * m * n, m, k, n);
        }
        return Tensor.result(y, ys, g -> {
            if (a.requiresGrad()) {
                float[] da = a.gradOrCreate();
                for (int p = 0; p < batches; p++) {
                    MatMul.dyw(g, p * m * n, bt, shared ? 0 : p * k * n, da, p * m * k, m, n, k);
                }
            }
            if (b.requiresGrad()) {
                float[] dbt = Workspace.floats(b.size());
                for (int p = 0; p < batches; p++) {
                    MatMul.dytx(g, p * m * n, a.data(), p * m * k, dbt, shared ? 0 : p * k * n, m, n, k);
                }
                float[] db = b.gradOrCreate();
                for (int p = 0; p < bBatches; p++) transpose(dbt, p * k * n, db, p * k * n, n, k, true);
                Workspace.giveBack(dbt);
            }
        }, a, b);
    }

    /** dst[c, r] (=|+=) src[r, c] for a [rows, cols] block. */
    static void transpose(float[] src, int sOff, float[] dst, int dOff, int rows, int cols, boolean add) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (add) dst[dOff + c * rows + r] += src[sOff + r * cols + c];
                else dst[dOff + c * rows + r] = src[sOff + r * cols + c];
            }
        }
    }
}
