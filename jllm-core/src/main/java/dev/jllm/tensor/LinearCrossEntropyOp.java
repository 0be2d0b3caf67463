package dev.jllm.tensor;

import dev.jllm.kernels.Bf16;
import dev.jllm.kernels.CrossEntropyKernel;
import dev.jllm.kernels.Elementwise;
import dev.jllm.kernels.MatMul;
import dev.jllm.kernels.quant.QuantizedMatmul;

/**
 * The output head and the mean cross-entropy as one op, so that the logits [N, vocab] never exist whole (at
 * Qwen3's 151,936 tokens, 4 × 256 rows of them are 622 MB, and their gradient as much again).
 */
final class LinearCrossEntropyOp {
    private LinearCrossEntropyOp() {}

    /** Floats of logits made at a time when they are not kept (64 MiB), unless {@link #MIN_CHUNK_ROWS} is more. */
    static final int CHUNK_FLOATS = 16 << 20;
    /**
     * Rows of a chunk at least: each chunk reads the head's weight whole again (packs it for the products, or widens
     * a bfloat16 one: a pass over all of it, where the products do 2 · rows flops per element), so a chunk must
     * have enough rows to hide that; 512 rows of Qwen3's logits are 311 MB, of GPT-2's 103 MB.
     */
    static final int MIN_CHUNK_ROWS = 512;

    // linearCrossEntropy: x [..., emb], head (W [V, emb], bias, LoRA A [emb, r] B [r, V] s, cap), targets [N]
    // (N rows of x) → loss [] = mean over rows with target ≠ ignoreIndex of (logΣexp(z_r) − z_r[target_r]) with
    // z = head.logits(x) [N, V]: what crossEntropy(head.logits(x), targets, ignoreIndex) gives.
    // backward, for counted rows: dz_r = dloss / count · (softmax(z_r) − onehot(target_r)), dl = dz ⊙ (1 − (z/cap)²)
    // under a cap (else dl = dz), u = s · (x · A) [N, r]: dx += dl · W + du · Aᵀ with du = s · (dl · Bᵀ);
    // dW += dlᵀ · x; dbias += Σ_rows dl; dB += uᵀ · dl; dA += xᵀ · du.
    // Memory. Not recording: the loss alone, chunkRows rows of z at a time. Recording, whichever holds less:
    //  - gradients in the forward pass: each chunk of z becomes its dl (at dloss = 1) and adds its share of every
    //    gradient into buffers kept for backward, which scales them by dloss and adds them in: holds dx [N, emb], and
    //    dW [V, emb] only when W trains (not under LoRA, whose frozen W may be a bfloat16 checkpoint's, read in place);
    //  - z kept whole (fewer rows than emb with a trained W, where z [N, V] is smaller than dW): backward turns it
    //    into dl in place, where the separate ops held z and then dz beside it.
    static Tensor linearCrossEntropy(Tensor x, OutputHead head, int[] targets, int ignoreIndex, int chunkRows) {
        int v = head.vocab(), c = head.emb();
        Shapes.require(x.rank() >= 1 && x.dim(-1) == c, "linearCrossEntropy: input " + x.shapeString()
                + " does not match head weight " + head.weight().shapeString() + " (last dim must be " + c + ")");
        int n = x.size() / Math.max(c, 1);
        int count = LossOps.countTargets("linearCrossEntropy", targets, n, ignoreIndex, v,
                "input " + x.shapeString());
        Tensor w = head.weight(), bias = head.bias(), a = head.loraA(), b = head.loraB();
        Parts p = new Parts(x, head, targets, ignoreIndex);
        float[] loss = Workspace.floats(n), lse = Workspace.floats(n);
        boolean recording = Tensor.recording(x, w, bias, a, b);
        Grads held = recording ? Grads.of(p, false) : null;
        long keptFloats = (long) n * v;
        boolean keepLogits = held != null && keptFloats < held.floats();
        float[] logits = null;
        if (keepLogits) {
            logits = Workspace.floats(n * v);
            p.logits(0, n, logits);
            CrossEntropyKernel.forward(logits, targets, 0, ignoreIndex, loss, lse, n, v);
        } else {
            if (held != null) held.allocate();
            int rows = chunkRows(n, v, chunkRows);
            float[] chunk = Workspace.floats(rows * v);
            for (int r0 = 0; r0 < n; r0 += rows) {
                int m = Math.min(rows, n - r0);
                p.logits(r0, m, chunk);
                CrossEntropyKernel.forward(chunk, targets, r0, ignoreIndex, loss, lse, m, v);
                if (held != null && count > 0) {
                    CrossEntropyKernel.gradientInPlace(chunk, targets, r0, ignoreIndex, lse, 1f / count, head.softCap(), m, v);
                    p.accumulate(chunk, r0, m, held);
                }
            }
            Workspace.giveBack(chunk);
        }
        double total = 0;
        for (int r = 0; r < n; r++) total += loss[r];
        float mean = (float) (total / count); // no counted row: NaN (0/0), as PyTorch
        Workspace.giveBack(loss);
        if (!recording) return Tensor.result(new float[] {mean}, new int[0], null);
        float[] kept = logits;
        return Tensor.result(new float[] {mean}, new int[0], g -> {
            if (kept != null) {
                if (count > 0) {
                    CrossEntropyKernel.gradientInPlace(kept, targets, 0, ignoreIndex, lse, g[0] / count,
                            head.softCap(), n, v);
                    p.accumulate(kept, 0, n, Grads.of(p, true));
                }
                Workspace.giveBack(kept);
            } else {
                held.addInto(g[0]);
            }
            p.release();
        }, x, w, bias, a, b);
    }

    /**
     * Rows per chunk: {@code asked} when positive, else {@link #CHUNK_FLOATS} / vocab but at least
     * {@link #MIN_CHUNK_ROWS}; split evenly over n rows.
     */
    static int chunkRows(int n, int v, int asked) {
        int most = Math.max(1, asked > 0 ? asked : Math.max(MIN_CHUNK_ROWS, CHUNK_FLOATS / Math.max(v, 1)));
        int chunks = Math.max(1, (n + most - 1) / most);
        return Math.max(1, (n + chunks - 1) / chunks);
    }

    /** The head's operands, with u = s · (x · A) and Aᵀ made once for a LoRA head. */
    private static final class Parts {
        final Tensor x, w, bias, a, b;
        final float[] xs;
        final int[] targets;
        final int ignoreIndex, n, v, c, r;
        final float s, cap;
        /** Aᵀ [r, emb] and u [N, r], or null without LoRA. */
        final float[] at, u;

        Parts(Tensor x, OutputHead head, int[] targets, int ignoreIndex) {
            this.x = x;
            this.w = head.weight();
            this.bias = head.bias();
            this.a = head.loraA();
            this.b = head.loraB();
            this.xs = x.data();
            this.targets = targets;
            this.ignoreIndex = ignoreIndex;
            this.v = head.vocab();
            this.c = head.emb();
            this.n = x.size() / Math.max(c, 1);
            this.r = a == null ? 0 : a.dim(1);
            this.s = head.loraScale();
            this.cap = head.softCap();
            if (a != null) {
                at = Workspace.floats(r * c);
                LinearOps.transpose(a.data(), 0, at, 0, c, r, false);
                u = Workspace.floats(n * r);
                MatMul.xwt(xs, 0, at, 0, null, u, 0, n, c, r);
                Elementwise.scale(s, u, 0, u, 0, n * r);
            } else {
                at = null;
                u = null;
            }
        }

        /** out [m, V] = z of rows r0 .. r0 + m. */
        void logits(int r0, int m, float[] out) {
            float[] bd = bias == null ? null : bias.data();
            if (w.isBf16()) Bf16.xwt(xs, r0 * c, w.bf16Values(), bd, out, 0, m, c, v);
            else if (w.isQuantized()) QuantizedMatmul.xwt(xs, r0 * c, w.quantizedValues(), bd, out, 0, m);
            else MatMul.xwt(xs, r0 * c, w.data(), 0, bd, out, 0, m, c, v);
            if (u != null) MatMul.dyw(u, r0 * r, b.data(), 0, out, 0, m, r, v); // += u · B
            if (cap > 0f) {
                Elementwise.forRows(m, v, (i0, i1) -> {
                    for (int i = i0 * v; i < i1 * v; i++) out[i] = cap * (float) Math.tanh(out[i] / cap);
                });
            }
        }

        /** Adds the gradients of dl [m, V] (rows r0 .. r0 + m) into {@code g}'s arrays (those that are not null). */
        void accumulate(float[] dl, int r0, int m, Grads g) {
            if (g.dx != null) {
                if (w.isBf16()) Bf16.dyw(dl, 0, w.bf16Values(), g.dx, r0 * c, m, v, c);
                else if (w.isQuantized()) QuantizedMatmul.dyw(dl, 0, w.quantizedValues(), g.dx, r0 * c, m);
                else MatMul.dyw(dl, 0, w.data(), 0, g.dx, r0 * c, m, v, c);
            }
            if (g.dw != null) MatMul.dytx(dl, 0, xs, r0 * c, g.dw, 0, m, v, c);
            if (g.dbias != null) Elementwise.sumRowsInto(dl, 0, m, v, g.dbias, 0);
            if (u == null) return;
            if (g.db != null) MatMul.dytx(u, r0 * r, dl, 0, g.db, 0, m, r, v);
            if (g.da != null || g.dx != null) {
                float[] du = Workspace.floats(m * r);
                MatMul.xwt(dl, 0, b.data(), 0, null, du, 0, m, v, r);
                Elementwise.scale(s, du, 0, du, 0, m * r);
                if (g.da != null) MatMul.dytx(xs, r0 * c, du, 0, g.da, 0, m, c, r);
                if (g.dx != null) MatMul.dyw(du, 0, at, 0, g.dx, r0 * c, m, r, c);
                Workspace.giveBack(du);
            }
        }

        void release() {
            Workspace.giveBack(at);
            Workspace.giveBack(u);
        }
    }

    /**
     * Where gradients go: the tensors' own gradients, or (computed in the forward pass) buffers of the same sizes
     * kept until backward, which adds them scaled by dloss. Null for a tensor that takes no gradient.
     */
    private static final class Grads {
        private final Parts p;
        float[] dx, dw, dbias, da, db;

        private Grads(Parts p) {
            this.p = p;
        }

        /** The gradients the head's tensors take: their own ({@code own}), or buffers to fill by {@link #allocate}. */
        static Grads of(Parts p, boolean own) {
            Grads g = new Grads(p);
            if (own) {
                g.dx = p.x.requiresGrad() ? p.x.gradOrCreate() : null;
                g.dw = p.w.requiresGrad() ? p.w.gradOrCreate() : null;
                g.dbias = p.bias != null && p.bias.requiresGrad() ? p.bias.gradOrCreate() : null;
                g.da = p.a != null && p.a.requiresGrad() ? p.a.gradOrCreate() : null;
                g.db = p.b != null && p.b.requiresGrad() ? p.b.gradOrCreate() : null;
            }
            return g;
        }

        /** Floats the buffers hold. */
        long floats() {
            long f = 0;
            if (p.x.requiresGrad()) f += (long) p.n * p.c;
            if (p.w.requiresGrad()) f += (long) p.v * p.c;
            if (p.bias != null && p.bias.requiresGrad()) f += p.v;
            if (p.a != null && p.a.requiresGrad()) f += (long) p.c * p.r;
            if (p.b != null && p.b.requiresGrad()) f += (long) p.r * p.v;
            return f;
        }

        void allocate() {
            if (p.x.requiresGrad()) dx = Workspace.floats(p.n * p.c);
            if (p.w.requiresGrad()) dw = Workspace.floats(p.v * p.c);
            if (p.bias != null && p.bias.requiresGrad()) dbias = Workspace.floats(p.v);
            if (p.a != null && p.a.requiresGrad()) da = Workspace.floats(p.c * p.r);
            if (p.b != null && p.b.requiresGrad()) db = Workspace.floats(p.r * p.v);
        }

        /** Adds scale · each buffer into its tensor's gradient and gives the buffers back. */
        void addInto(float scale) {
            add(scale, dx, p.x);
            add(scale, dw, p.w);
            add(scale, dbias, p.bias);
            add(scale, da, p.a);
            add(scale, db, p.b);
        }

        private static void add(float scale, float[] buffer, Tensor t) {
            if (buffer == null) return;
            float[] grad = t.gradOrCreate();
            Elementwise.forChunks(buffer.length, (i0, i1) -> Elementwise.axpy(scale, buffer, i0, grad, i0, i1 - i0));
            Workspace.giveBack(buffer);
        }
    }
}
