package dev.jllm.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The output head and cross-entropy as one op against the two ops it replaces ({@code crossEntropy(head.logits(x))}),
 * chunk by chunk and whole, both ways of holding its gradients, every kind of head (bias, LoRA, soft cap, bf16
 * weight); and against a double reference by finite differences.
 */
class LinearCrossEntropyTest {

    private static final int IGNORE = Ops.IGNORE_INDEX;

    /** What a case trains: the head's tensors are fresh for every run of it. */
    private record Case(String name, int n, int c, int v, boolean bias, int rank, float cap, boolean bf16,
                        boolean trainW) {}

    /** The tensors of one run: x, then the head's weight, bias, A, B (null where absent). */
    private static List<Tensor> tensors(Case k, long seed) {
        Random rnd = new Random(seed);
        List<Tensor> t = new ArrayList<>();
        t.add(GradCheck.param(rnd, k.n, k.c));
        Tensor w = Tensor.of(GradCheck.random(rnd, k.v * k.c), k.v, k.c);
        if (k.bf16) w = w.toBf16();
        else w.requiresGrad(k.trainW);
        t.add(w);
        t.add(k.bias ? GradCheck.param(rnd, k.v) : null);
        t.add(k.rank > 0 ? GradCheck.param(rnd, k.c, k.rank) : null);
        t.add(k.rank > 0 ? GradCheck.param(rnd, k.rank, k.v) : null);
        return t;
    }

    private static OutputHead head(Case k, List<Tensor> t) {
        OutputHead h = OutputHead.of(t.get(1)).withBias(t.get(2)).withSoftCap(k.cap);
        return k.rank > 0 ? h.withLoRA(t.get(3), t.get(4), 0.7f) : h;
    }

    private static int[] targets(int n, int v, long seed) {
        Random rnd = new Random(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = i % 4 == 2 ? IGNORE : rnd.nextInt(v);
        return t;
    }

    /** loss·dloss backward (dloss ≠ 1: backward must scale what the forward pass computed), returns loss and grads. */
    private static List<float[]> run(Case k, List<Tensor> t, int[] targets, int chunkRows, boolean fused) {
        float dloss = 0.37f;
        Tensor loss;
        if (fused) {
            loss = LinearCrossEntropyOp.linearCrossEntropy(t.get(0), head(k, t), targets, IGNORE, chunkRows);
        } else {
            loss = Ops.crossEntropy(head(k, t).logits(t.get(0)), targets, IGNORE);
        }
        Ops.scale(loss, dloss).backward();
        List<float[]> out = new ArrayList<>();
        out.add(loss.data().clone());
        for (Tensor x : t) if (x != null && x.requiresGrad()) out.add(x.grad().clone());
        return out;
    }

    private static final List<Case> CASES = List.of(
            new Case("plain, W trained, rows < emb (logits kept)", 6, 16, 23, false, 0, 0f, false, true),
            new Case("plain, W trained, rows > emb (gradients in forward)", 21, 8, 19, false, 0, 0f, false, true),
            new Case("bias and soft cap", 13, 8, 17, true, 0, 5f, false, true),
            new Case("bias and soft cap, gradients in forward", 20, 4, 11, true, 0, 2f, false, true),
            new Case("LoRA over a frozen W", 11, 12, 29, false, 3, 0f, false, false),
            new Case("LoRA over a bf16 W", 10, 16, 21, false, 2, 0f, true, false),
            new Case("LoRA, soft cap, trained W and bias", 9, 6, 15, true, 2, 3f, false, true),
            new Case("frozen W, x only", 7, 10, 33, false, 0, 0f, false, false));

    @Test
    void givesTheLossAndGradientsOfTheHeadFollowedByCrossEntropy() {
        for (Case k : CASES) {
            int[] targets = targets(k.n, k.v, 9);
            List<float[]> expected = run(k, tensors(k, 3), targets, 0, false);
            for (int chunk : new int[] {1, 2, 4, k.n, 0}) {
                List<float[]> got = run(k, tensors(k, 3), targets, chunk, true);
                assertThat(got).as(k.name).hasSameSizeAs(expected);
                for (int i = 0; i < got.size(); i++) {
                    assertThat(GradCheck.relErr(got.get(i), expected.get(i)))
                            .as(k.name + ", chunks of " + chunk + ", " + (i == 0 ? "loss" : "gradient " + i))
                            .isLessThan(2e-6);
                }
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesOfADoubleReference() {
        for (Case k : CASES) {
            if (k.bf16) continue; // the reference reads W as doubles: covered against the separate ops above
            List<Tensor> t = tensors(k, 4);
            int[] targets = targets(k.n, k.v, 8);
            List<Tensor> inputs = new ArrayList<>();
            for (Tensor x : t) inputs.add(x == null ? Tensor.zeros(1) : x);
            GradCheck.check("linearCrossEntropy " + k.name, inputs,
                    in -> LinearCrossEntropyOp.linearCrossEntropy(in.get(0), head(k, t), targets, IGNORE, 3),
                    d -> new double[] {reference(k, d, targets)}, 1e-5, 2e-3);
        }
    }

    /** Mean cross-entropy of cap·tanh((x·Wᵀ + bias + s·(x·A)·B) / cap) in double. */
    private static double reference(Case k, double[][] d, int[] targets) {
        double[] logits = k.rank > 0
                ? LinearLoRATest.ref(d[0], d[1], k.bias ? d[2] : null, d[3], d[4], 0.7f, k.n, k.c, k.v, k.rank)
                : Ref.linear(d[0], d[1], k.bias ? d[2] : null, k.n, k.c, k.v);
        if (k.cap > 0) for (int i = 0; i < logits.length; i++) logits[i] = k.cap * Math.tanh(logits[i] / k.cap);
        return Ref.crossEntropy(logits, targets, IGNORE, k.v);
    }

    @Test
    void withoutAutogradItGivesTheSameLossAndRecordsNothing() {
        Case k = CASES.get(3);
        List<Tensor> t = tensors(k, 5);
        int[] targets = targets(k.n, k.v, 7);
        float expected = Ops.crossEntropy(head(k, t).logits(t.get(0)), targets, IGNORE).item();
        try (NoGrad ignored = NoGrad.enter()) {
            Tensor loss = LinearCrossEntropyOp.linearCrossEntropy(t.get(0), head(k, t), targets, IGNORE, 2);
            assertThat(loss.requiresGrad()).isFalse();
            assertThat(loss.item()).isCloseTo(expected, org.assertj.core.data.Percentage.withPercentage(1e-4));
        }
    }

    @Test
    void insideAWorkspaceScopeRepeatedStepsGiveTheSameResult() {
        Case k = CASES.get(1);
        int[] targets = targets(k.n, k.v, 6);
        Workspace workspace = new Workspace();
        List<float[]> first = null;
        for (int step = 0; step < 3; step++) {
            try (Workspace.Scope s = workspace.open()) {
                List<float[]> got = run(k, tensors(k, 2), targets, 4, true);
                if (first == null) first = got;
                for (int i = 0; i < got.size(); i++) assertThat(got.get(i)).isEqualTo(first.get(i));
            }
        }
    }

    @Test
    void noCountedRowGivesNaNAndNoGradient() {
        Case k = CASES.get(1);
        List<Tensor> t = tensors(k, 1);
        int[] targets = new int[k.n];
        java.util.Arrays.fill(targets, IGNORE);
        Tensor loss = Ops.linearCrossEntropy(t.get(0), head(k, t), targets, IGNORE);
        assertThat(loss.item()).isNaN();
        loss.backward();
        for (float g : t.get(0).grad()) assertThat(g).isZero();
    }

    @Test
    void badTargetsAndShapesAreRefusedWithTheirNames() {
        Tensor w = Tensor.zeros(5, 3);
        assertThatThrownBy(() -> Ops.linearCrossEntropy(Tensor.zeros(2, 3), OutputHead.of(w), new int[] {0}, IGNORE))
                .hasMessageContaining("[2, 3]").hasMessageContaining("1 targets");
        assertThatThrownBy(() -> Ops.linearCrossEntropy(Tensor.zeros(2, 3), OutputHead.of(w), new int[] {0, 5}, IGNORE))
                .hasMessageContaining("target 5").hasMessageContaining("5 classes");
        assertThatThrownBy(() -> Ops.linearCrossEntropy(Tensor.zeros(2, 4), OutputHead.of(w), new int[] {0, 1}, IGNORE))
                .hasMessageContaining("[2, 4]").hasMessageContaining("[5, 3]");
        assertThatThrownBy(() -> OutputHead.of(w).withLoRA(Tensor.zeros(3, 2), Tensor.zeros(2, 4), 1f))
                .hasMessageContaining("[3, 2]").hasMessageContaining("[2, 4]");
    }

    @Test
    void chunksSplitTheRowsEvenly() {
        assertThat(LinearCrossEntropyOp.chunkRows(10, 7, 4)).isEqualTo(4); // 3 chunks: 4, 4, 2
        assertThat(LinearCrossEntropyOp.chunkRows(1024, 151_936, 0)).isEqualTo(512); // at least 512 rows
        assertThat(LinearCrossEntropyOp.chunkRows(2048, 50_257, 0)).isEqualTo(512);
        assertThat(LinearCrossEntropyOp.chunkRows(4000, 8_000, 0)).isEqualTo(2000); // 64 MiB: 2097 rows at most
        assertThat(LinearCrossEntropyOp.chunkRows(3, 7, 0)).isEqualTo(3);
    }
}
