package dev.jllm.tensor;

import dev.jllm.kernels.DropoutKernel;
import dev.jllm.kernels.Elementwise;
import java.util.random.RandomGenerator;

/**
 * Elementwise arithmetic: add and mul (where one operand may repeat along leading dimensions, like a bias or a
 * positional embedding), scale, and dropout.
 */
final class ElementwiseOps {
    private ElementwiseOps() {}

    /**
     * How two operands line up: {@code big} has the output's shape; {@code small} has the same shape or the
     * shape of its trailing dimensions, and repeats {@code big.size() / small.size()} times.
     */
    private record Pair(Tensor big, Tensor small) {
        static Pair of(String op, Tensor a, Tensor b) {
            if (Shapes.isTrailing(b.shape(), a.shape())) return new Pair(a, b);
            if (Shapes.isTrailing(a.shape(), b.shape())) return new Pair(b, a);
            throw new IllegalArgumentException(op + ": shapes " + a.shapeString() + " and " + b.shapeString()
                    + " do not broadcast (need equal shapes, or one equal to the trailing dimensions of the other)");
        }

        int inner() {
            return small.size();
        }

        int repeats() {
            return small.size() == 0 ? 0 : big.size() / small.size();
        }
    }

    // add: a [..., S] + b [S] (or equal shapes) → y [..., S]; da += dy, db += Σ over the repeats of dy.
    static Tensor add(Tensor a, Tensor b) {
        Pair p = Pair.of("add", a, b);
        int n = p.inner(), reps = p.repeats();
        float[] big = p.big().data(), small = p.small().data(), y = Workspace.floats(p.big().size());
        Elementwise.forRows(reps, n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) Elementwise.add(big, r * n, small, 0, y, r * n, n);
        });
        return Tensor.result(y, p.big().shape(), g -> {
            if (p.big().requiresGrad()) ShapeOps.accumulate(g, p.big());
            if (p.small().requiresGrad()) Elementwise.sumRowsInto(g, 0, reps, n, p.small().gradOrCreate(), 0);
        }, a, b);
    }

    // mul: a [..., S] ⊙ b [S] (or equal shapes) → y [..., S]; da += dy ⊙ b, db += Σ over the repeats of dy ⊙ a.
    static Tensor mul(Tensor a, Tensor b) {
        Pair p = Pair.of("mul", a, b);
        int n = p.inner(), reps = p.repeats();
        float[] big = p.big().data(), small = p.small().data(), y = Workspace.floats(p.big().size());
        Elementwise.forRows(reps, n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) Elementwise.mul(big, r * n, small, 0, y, r * n, n);
        });
        return Tensor.result(y, p.big().shape(), g -> {
            if (p.big().requiresGrad()) {
                float[] dBig = p.big().gradOrCreate();
                Elementwise.forRows(reps, n, (r0, r1) -> {
                    for (int r = r0; r < r1; r++) Elementwise.mulAccumulate(g, r * n, small, 0, dBig, r * n, n);
                });
            }
            if (p.small().requiresGrad()) {
                float[] dSmall = p.small().gradOrCreate();
                // Column blocks in parallel, rows in order: no shared writes.
                Elementwise.forRows(n, reps, (c0, c1) -> {
                    for (int r = 0; r < reps; r++) {
                        Elementwise.mulAccumulate(g, r * n + c0, big, r * n + c0, dSmall, c0, c1 - c0);
                    }
                });
            }
        }, a, b);
    }

    // scale: y = s · x; dx += s · dy.
    static Tensor scale(Tensor x, float s) {
        int n = x.size();
        float[] y = Workspace.floats(n);
        Elementwise.forChunks(n, (c0, c1) -> Elementwise.scale(s, x.data(), c0, y, c0, c1 - c0));
        return Tensor.result(y, x.shape(), g -> {
            float[] dx = x.gradOrCreate();
            Elementwise.forChunks(n, (c0, c1) -> Elementwise.axpy(s, g, c0, dx, c0, c1 - c0));
        }, x);
    }

    // dropout: y = x ⊙ keep / (1 − p) in training (keep drawn per element from a seed taken from rng),
    // y = x in evaluation or when p = 0; dx += dy ⊙ keep / (1 − p).
    static Tensor dropout(Tensor x, float p, RandomGenerator rng, boolean training) {
        Shapes.require(p >= 0f && p < 1f, "dropout: probability must be in [0, 1), got " + p);
        if (!training || p == 0f) return x;
        long seed = rng.nextLong();
        int n = x.size();
        float[] y = Workspace.floats(n);
        DropoutKernel.forward(x.data(), y, n, p, seed);
        return Tensor.result(y, x.shape(), g -> DropoutKernel.backward(g, x.gradOrCreate(), n, p, seed), x);
    }
}
