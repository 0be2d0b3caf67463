package dev.jllm.tensor;

import static dev.jllm.tensor.GradCheck.check;
import static dev.jllm.tensor.GradCheck.param;
import static dev.jllm.tensor.GradCheck.relErr;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every op against its plain-loop double reference, forward and gradient, on shapes around the vector width. */
class OpsTest {

    private static final double FWD = 1e-5, GRAD = 1e-4;

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 8, 13, 33})
    void linear(int in) {
        Random rnd = new Random(in);
        int out = in + 3;
        Tensor x = param(rnd, 2, 3, in), w = param(rnd, out, in), b = param(rnd, out);
        check("linear", List.of(x, w, b), t -> Ops.linear(t.get(0), t.get(1), t.get(2)),
                r -> Ref.linear(r[0], r[1], r[2], 6, in, out), FWD, GRAD);
        check("linear no bias", List.of(x, w), t -> Ops.linear(t.get(0), t.get(1), null),
                r -> Ref.linear(r[0], r[1], null, 6, in, out), FWD, GRAD);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 17})
    void matmul(int k) {
        Random rnd = new Random(k);
        Tensor a = param(rnd, 2, 3, 4, k), b = param(rnd, 2, 3, k, 9), shared = param(rnd, k, 9);
        check("matmul", List.of(a, b), t -> Ops.matmul(t.get(0), t.get(1)),
                r -> Ref.matmul(r[0], r[1], 6, false, 4, k, 9), FWD, GRAD);
        check("matmul shared", List.of(a, shared), t -> Ops.matmul(t.get(0), t.get(1)),
                r -> Ref.matmul(r[0], r[1], 6, true, 4, k, 9), FWD, GRAD);
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 8, 19})
    void embeddingSumsTheGradientsOfRepeatedIds(int c) {
        Random rnd = new Random(c);
        Tensor w = param(rnd, 6, c);
        int[] ids = {0, 5, 2, 2, 5, 5};
        check("embedding", List.of(w), t -> Ops.embedding(t.get(0), ids, 2, 3),
                r -> Ref.embedding(r[0], ids, c), FWD, GRAD);
        assertThat(Ops.embedding(w, ids, 2, 3).shape()).containsExactly(2, 3, c);
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 8, 13, 64}) // C = 2 normalises every row to ±1: its gradient is all cancellation
    void layerNorm(int c) {
        Random rnd = new Random(c);
        Tensor x = param(rnd, 3, 2, c), g = param(rnd, c), b = param(rnd, c);
        check("layerNorm", List.of(x, g, b), t -> Ops.layerNorm(t.get(0), t.get(1), t.get(2), 1e-5f),
                r -> Ref.layerNorm(r[0], r[1], r[2], 1e-5, c), FWD, GRAD);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 9, 40})
    void gelu(int n) {
        Random rnd = new Random(n);
        Tensor x = param(rnd, 3, n);
        check("gelu", List.of(x), t -> Ops.gelu(t.get(0)), r -> Ref.gelu(r[0]), FWD, GRAD);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 16, 29})
    void softmaxAndLogSoftmax(int n) {
        Random rnd = new Random(n);
        Tensor x = param(rnd, 2, 3, n);
        check("softmax", List.of(x), t -> Ops.softmax(t.get(0)), r -> Ref.softmax(r[0], n), FWD, GRAD);
        check("logSoftmax", List.of(x), t -> Ops.logSoftmax(t.get(0)), r -> Ref.logSoftmax(r[0], n), FWD, GRAD);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void causalAttention(int heads) {
        Random rnd = new Random(heads);
        int bs = 2, t = 7, c = 6 * heads + (heads == 3 ? 9 : 0); // head dims 6, 6, 9
        Tensor q = param(rnd, bs, t, c), k = param(rnd, bs, t, c), v = param(rnd, bs, t, c);
        check("attention", List.of(q, k, v), x -> Ops.causalAttention(x.get(0), x.get(1), x.get(2), heads, 0f, null),
                r -> Ref.attention(r[0], r[1], r[2], bs, t, t, c, heads, 0f, 0L), FWD, GRAD);
    }

    @ParameterizedTest
    @ValueSource(floats = {0.1f, 0.5f})
    void causalAttentionWithDropoutReproducesItsMaskInBackward(float p) {
        Random rnd = new Random(7);
        int bs = 2, t = 9, c = 16, heads = 2;
        Tensor q = param(rnd, bs, t, c), k = param(rnd, bs, t, c), v = param(rnd, bs, t, c);
        long seed = new SplittableRandom(42).nextLong(); // the seed the op draws from the same generator
        check("attention dropout", List.of(q, k, v),
                x -> Ops.causalAttention(x.get(0), x.get(1), x.get(2), heads, p, new SplittableRandom(42)),
                r -> Ref.attention(r[0], r[1], r[2], bs, t, t, c, heads, p, seed), FWD, GRAD);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void causalAttentionOfNewQueriesAgainstEarlierKeys(int tq) {
        Random rnd = new Random(tq);
        int bs = 1, tk = 6, c = 8, heads = 2;
        Tensor q = param(rnd, bs, tq, c), k = param(rnd, bs, tk, c), v = param(rnd, bs, tk, c);
        check("attention cached", List.of(q, k, v), x -> Ops.causalAttention(x.get(0), x.get(1), x.get(2), heads, 0f, null),
                r -> Ref.attention(r[0], r[1], r[2], bs, tq, tk, c, heads, 0f, 0L), FWD, GRAD);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 11, 50})
    void crossEntropyIgnoresTheIgnoreIndex(int v) {
        Random rnd = new Random(v);
        Tensor logits = param(rnd, 2, 3, v);
        int[] targets = {0, v - 1, Ops.IGNORE_INDEX, 1 % v, Ops.IGNORE_INDEX, v / 2};
        check("crossEntropy", List.of(logits), t -> Ops.crossEntropy(t.get(0), targets),
                r -> new double[] {Ref.crossEntropy(r[0], targets, Ops.IGNORE_INDEX, v)}, FWD, GRAD);
        int[] custom = {0, 1, 1, 1, 1, 1};
        check("crossEntropy ignore 1", List.of(logits), t -> Ops.crossEntropy(t.get(0), custom, 1),
                r -> new double[] {Ref.crossEntropy(r[0], custom, 1, v)}, FWD, GRAD);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 8, 21})
    void addAndMulWithEqualAndTrailingShapes(int n) {
        Random rnd = new Random(n);
        Tensor a = param(rnd, 2, 3, n), b = param(rnd, 2, 3, n), bias = param(rnd, n), table = param(rnd, 1, 3, n);
        check("add", List.of(a, b), t -> Ops.add(t.get(0), t.get(1)), r -> Ref.add(r[0], r[1]), FWD, GRAD);
        check("add bias", List.of(a, bias), t -> Ops.add(t.get(0), t.get(1)), r -> Ref.add(r[0], r[1]), FWD, GRAD);
        check("add bias first", List.of(bias, a), t -> Ops.add(t.get(0), t.get(1)), r -> Ref.add(r[1], r[0]), FWD, GRAD);
        check("add table", List.of(a, table), t -> Ops.add(t.get(0), t.get(1)), r -> Ref.add(r[0], r[1]), FWD, GRAD);
        check("mul", List.of(a, b), t -> Ops.mul(t.get(0), t.get(1)), r -> Ref.mul(r[0], r[1]), FWD, GRAD);
        check("mul bias", List.of(a, bias), t -> Ops.mul(t.get(0), t.get(1)), r -> Ref.mul(r[0], r[1]), FWD, GRAD);
    }

    @ParameterizedTest
    @ValueSource(floats = {0f, 0.2f, 0.7f})
    void scaleAndDropout(float p) {
        Random rnd = new Random(3);
        Tensor x = param(rnd, 4, 37);
        check("scale", List.of(x), t -> Ops.scale(t.get(0), -1.5f), r -> Ref.mul(r[0], new double[] {-1.5}), FWD, GRAD);
        long seed = new SplittableRandom(9).nextLong();
        check("dropout", List.of(x), t -> Ops.dropout(t.get(0), p, new SplittableRandom(9), true),
                r -> p == 0f ? r[0] : Ref.dropout(r[0], p, seed), FWD, GRAD);
        assertThat(Ops.dropout(x, p, new SplittableRandom(9), false)).isSameAs(x);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void transpose(int d0) {
        Random rnd = new Random(d0);
        int[] shape = {2, 3, 5, 4};
        Tensor x = param(rnd, shape);
        // swap d0 with dimension 3: pre = Π shape[..d0), mid = Π shape(d0..3)
        int pre = 1, mid = 1;
        for (int i = 0; i < d0; i++) pre *= shape[i];
        for (int i = d0 + 1; i < 3; i++) mid *= shape[i];
        int fp = pre, fm = mid;
        check("transpose", List.of(x), t -> Ops.transpose(t.get(0), d0, -1),
                r -> Ref.transpose(r[0], fp, shape[d0], fm, shape[3], 1), FWD, GRAD);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void concatSplitAndNarrow(int dim) {
        Random rnd = new Random(dim);
        int[] s = {2, 3, 4};
        int pre = 1, post = 1;
        for (int i = 0; i < dim; i++) pre *= s[i];
        for (int i = dim + 1; i < 3; i++) post *= s[i];
        int fpre = pre, fpost = post, n = s[dim];
        Tensor x = param(rnd, s);
        check("narrow", List.of(x), t -> Ops.narrow(t.get(0), dim, 1, n - 1),
                r -> Ref.narrow(r[0], fpre, n, fpost, 1, n - 1), FWD, GRAD);
        // split then concat in another order: a permutation of slabs, checked through narrow's reference
        check("split+concat", List.of(x), t -> {
            List<Tensor> parts = Ops.split(t.get(0), dim, 1, n - 1);
            return Ops.concat(dim, parts.get(1), parts.get(0));
        }, r -> {
            double[] tail = Ref.narrow(r[0], fpre, n, fpost, 1, n - 1), head = Ref.narrow(r[0], fpre, n, fpost, 0, 1);
            double[] y = new double[r[0].length];
            for (int p = 0; p < fpre; p++) {
                System.arraycopy(tail, p * (n - 1) * fpost, y, p * n * fpost, (n - 1) * fpost);
                System.arraycopy(head, p * fpost, y, (p * n + n - 1) * fpost, fpost);
            }
            return y;
        }, FWD, GRAD);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 10, 100})
    void sumMeanAndReshape(int n) {
        Random rnd = new Random(n);
        Tensor x = param(rnd, 3, n);
        check("sum", List.of(x), t -> Ops.sum(t.get(0)), r -> new double[] {Ref.sum(r[0])}, 1e-4, GRAD);
        check("mean", List.of(x), t -> Ops.mean(t.get(0)), r -> new double[] {Ref.sum(r[0]) / r[0].length}, 1e-4, GRAD);
        check("reshape", List.of(x), t -> Ops.scale(t.get(0).reshape(n, 3), 2f), r -> Ref.mul(r[0], new double[] {2}), FWD, GRAD);
    }

    @org.junit.jupiter.api.Test
    void miniTransformerBlock() {
        // x → layerNorm → linear (to q, k, v) → split → attention → linear → add residual → layerNorm → mlp → add
        Random rnd = new Random(11);
        int bs = 2, t = 5, c = 8, heads = 2;
        Tensor x = param(rnd, bs, t, c), g1 = param(rnd, c), b1 = param(rnd, c);
        Tensor wqkv = param(rnd, 3 * c, c), bqkv = param(rnd, 3 * c), wo = param(rnd, c, c);
        Tensor w1 = param(rnd, 2 * c, c), w2 = param(rnd, c, 2 * c);
        check("block", List.of(x, g1, b1, wqkv, bqkv, wo, w1, w2), p -> {
            Tensor h = Ops.layerNorm(p.get(0), p.get(1), p.get(2), 1e-5f);
            List<Tensor> qkv = Ops.split(Ops.linear(h, p.get(3), p.get(4)), 2, c, c, c);
            Tensor a = Ops.causalAttention(qkv.get(0), qkv.get(1), qkv.get(2), heads, 0f, null);
            Tensor r1 = Ops.add(p.get(0), Ops.linear(a, p.get(5), null));
            Tensor m = Ops.linear(Ops.gelu(Ops.linear(Ops.layerNorm(r1, p.get(1), p.get(2), 1e-5f), p.get(6), null)), p.get(7), null);
            return Ops.add(r1, m);
        }, r -> {
            int rows = bs * t;
            double[] h = Ref.layerNorm(r[0], r[1], r[2], 1e-5, c);
            double[] qkv = Ref.linear(h, r[3], r[4], rows, c, 3 * c);
            double[] q = Ref.narrow(qkv, rows, 3 * c, 1, 0, c), k = Ref.narrow(qkv, rows, 3 * c, 1, c, c);
            double[] v = Ref.narrow(qkv, rows, 3 * c, 1, 2 * c, c);
            double[] a = Ref.attention(q, k, v, bs, t, t, c, heads, 0f, 0L);
            double[] r1 = Ref.add(r[0], Ref.linear(a, r[5], null, rows, c, c));
            double[] m = Ref.linear(Ref.gelu(Ref.linear(Ref.layerNorm(r1, r[1], r[2], 1e-5, c), r[6], null, rows, c, 2 * c)),
                    r[7], null, rows, 2 * c, c);
            return Ref.add(r1, m);
        }, 1e-5, 1e-4);
    }

    @org.junit.jupiter.api.Test
    void relErrIsRelativeToTheReference() {
        assertThat(relErr(new float[] {1, 2}, new double[] {1, 2.002})).isCloseTo(0.001, org.assertj.core.data.Offset.offset(1e-6));
    }
}
