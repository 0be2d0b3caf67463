package dev.jllm.tensor;

import dev.jllm.kernels.Elementwise;
import java.util.ArrayList;
import java.util.List;

/** Ops that move values without arithmetic: reshape, transpose, concat, narrow and split. */
final class ShapeOps {
    private ShapeOps() {}

    // reshape: x [...] → y [newShape], same values in the same order (data shared); dx += dy.
    static Tensor reshape(Tensor x, int... newShape) {
        int[] shape = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                Shapes.require(infer < 0, "reshape: more than one -1 in " + Shapes.str(newShape));
                infer = i;
            } else {
                Shapes.require(shape[i] >= 0, "reshape: negative dimension in " + Shapes.str(newShape));
                known *= shape[i];
            }
        }
        if (infer >= 0) {
            Shapes.require(known > 0 && x.size() % known == 0,
                    "reshape: cannot reshape " + x.shapeString() + " to " + Shapes.str(newShape));
            shape[infer] = (int) (x.size() / known);
        }
        Shapes.require(Tensor.numel(shape) == x.size(),
                "reshape: cannot reshape " + x.shapeString() + " (" + x.size() + " values) to " + Shapes.str(newShape));
        return Tensor.result(x.data(), shape, g -> accumulate(g, x), x);
    }

    // transpose: x [pre, A, mid, B, post] → y [pre, B, mid, A, post] as a contiguous copy; dx += transpose(dy).
    static Tensor transpose(Tensor x, int dim0, int dim1) {
        int[] xs = x.shape();
        int d0 = Shapes.axis("transpose", dim0, xs.length), d1 = Shapes.axis("transpose", dim1, xs.length);
        if (d0 > d1) {
            int t = d0;
            d0 = d1;
            d1 = t;
        }
        int[] ys = xs.clone();
        ys[d0] = xs[d1];
        ys[d1] = xs[d0];
        if (d0 == d1) return reshape(x, ys);
        int pre = Shapes.prod(xs, 0, d0), a = xs[d0], mid = Shapes.prod(xs, d0 + 1, d1), b = xs[d1];
        int post = Shapes.prod(xs, d1 + 1, xs.length);
        float[] y = Workspace.floats(x.size());
        swap(x.data(), y, pre, a, mid, b, post, false);
        return Tensor.result(y, ys, g -> swap(g, x.gradOrCreate(), pre, b, mid, a, post, true), x);
    }

    /** dst[p, j, m, i, :] (=|+=) src[p, i, m, j, :] for src viewed as [pre, a, mid, b, post]. */
    private static void swap(float[] src, float[] dst, int pre, int a, int mid, int b, int post, boolean add) {
        for (int p = 0; p < pre; p++)
            for (int i = 0; i < a; i++)
                for (int m = 0; m < mid; m++)
                    for (int j = 0; j < b; j++) {
                        int s = (((p * a + i) * mid + m) * b + j) * post;
                        int d = (((p * b + j) * mid + m) * a + i) * post;
                        if (add) {
                            for (int e = 0; e < post; e++) dst[d + e] += src[s + e];
                        } else {
                            System.arraycopy(src, s, dst, d, post);
                        }
                    }
    }

    // concat: xs[k] [pre, n_k, post] → y [pre, Σn_k, post]; dxs[k] += the matching slab of dy.
    static Tensor concat(int dim, Tensor... xs) {
        Shapes.require(xs.length > 0, "concat: no tensors");
        int[] first = xs[0].shape();
        int d = Shapes.axis("concat", dim, first.length);
        int total = 0;
        for (Tensor t : xs) {
            int[] s = t.shape();
            boolean same = s.length == first.length;
            for (int i = 0; same && i < s.length; i++) same = i == d || s[i] == first[i];
            Shapes.require(same, "concat: shapes " + xs[0].shapeString() + " and " + t.shapeString()
                    + " differ outside dimension " + dim);
            total += s[d];
        }
        int[] ys = first.clone();
        ys[d] = total;
        int pre = Shapes.prod(first, 0, d), post = Shapes.prod(first, d + 1, first.length);
        float[] y = Workspace.floats(Math.toIntExact(Tensor.numel(ys)));
        int rowOut = total * post;
        int at = 0;
        int[] starts = new int[xs.length];
        for (int k = 0; k < xs.length; k++) {
            starts[k] = at;
            int block = xs[k].dim(d) * post;
            float[] src = xs[k].data();
            for (int p = 0; p < pre; p++) System.arraycopy(src, p * block, y, p * rowOut + at * post, block);
            at += xs[k].dim(d);
        }
        return Tensor.result(y, ys, g -> {
            for (int k = 0; k < xs.length; k++) {
                if (!xs[k].requiresGrad()) continue;
                int block = xs[k].dim(d) * post;
                float[] dx = xs[k].gradOrCreate();
                for (int p = 0; p < pre; p++) {
                    Elementwise.accumulate(g, p * rowOut + starts[k] * post, dx, p * block, block);
                }
            }
        }, xs);
    }

    // narrow: x [pre, n, post] → y [pre, length, post] = x[:, start:start+length, :]; dx[:, start:start+length, :] += dy.
    static Tensor narrow(Tensor x, int dim, int start, int length) {
        int[] xs = x.shape();
        int d = Shapes.axis("narrow", dim, xs.length);
        Shapes.require(start >= 0 && length >= 0 && start + length <= xs[d],
                "narrow: range [" + start + ", " + (start + length) + ") out of bounds for dimension " + dim
                        + " of " + x.shapeString());
        int pre = Shapes.prod(xs, 0, d), post = Shapes.prod(xs, d + 1, xs.length);
        int rowIn = xs[d] * post, block = length * post;
        int[] ys = xs.clone();
        ys[d] = length;
        float[] y = Workspace.floats(pre * block);
        float[] src = x.data();
        for (int p = 0; p < pre; p++) System.arraycopy(src, p * rowIn + start * post, y, p * block, block);
        return Tensor.result(y, ys, g -> {
            float[] dx = x.gradOrCreate();
            for (int p = 0; p < pre; p++) {
                Elementwise.accumulate(g, p * block, dx, p * rowIn + start * post, block);
            }
        }, x);
    }

    // split: x [pre, Σsizes, post] → parts [pre, sizes[k], post]; each part's gradient flows back to its slab.
    static List<Tensor> split(Tensor x, int dim, int... sizes) {
        int d = Shapes.axis("split", dim, x.rank());
        int total = 0;
        for (int s : sizes) total += s;
        Shapes.require(total == x.dim(d), "split: sizes " + Shapes.str(sizes) + " add up to " + total
                + ", dimension " + dim + " of " + x.shapeString() + " is " + x.dim(d));
        List<Tensor> parts = new ArrayList<>(sizes.length);
        int at = 0;
        for (int s : sizes) {
            parts.add(narrow(x, d, at, s));
            at += s;
        }
        return parts;
    }

    /** gx += g elementwise (the backward of every op that keeps values in place). */
    static void accumulate(float[] g, Tensor x) {
        float[] dx = x.gradOrCreate();
        Elementwise.forChunks(g.length,
                (s, e) -> Elementwise.accumulate(g, s, dx, s, e - s));
    }
}
