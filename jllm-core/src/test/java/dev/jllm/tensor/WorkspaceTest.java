package dev.jllm.tensor;

import static dev.jllm.tensor.GradCheck.relErr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Training steps inside a {@link Workspace} scope compute exactly what they compute without one, and reuse arrays. */
class WorkspaceTest {

    /** Big enough that activations (32 × 64 floats and up) and logits are pooled; tied head, dropout on. */
    private static final GptConfig CONFIG = new GptConfig(500, 64, 64, 4, 2, 0.1f, true, true);

    /** One step: the loss, then a copy of every parameter's gradient. */
    private static List<float[]> step(GptModel m, int batch, int length, long seed) {
        m.parameters().forEach(Tensor::zeroGrad);
        SplittableRandom r = new SplittableRandom(seed);
        int[] x = new int[batch * length], y = new int[batch * length];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(CONFIG.vocabSize());
            y[i] = r.nextInt(CONFIG.vocabSize());
        }
        Tensor loss = m.loss(x, y, batch, length);
        loss.backward();
        List<float[]> out = new ArrayList<>(List.of(new float[] {loss.item()}));
        for (Tensor p : m.parameters()) out.add(p.grad().clone());
        return out;
    }

    @Test
    void stepsInAScopeMatchStepsWithout() {
        GptModel plain = GptModel.create(CONFIG, 7), pooled = GptModel.create(CONFIG, 7);
        plain.train();
        pooled.train();
        Workspace workspace = new Workspace();
        long held = -1;
        for (int s = 0; s < 4; s++) {
            List<float[]> expected = step(plain, 2, 32, s);
            List<float[]> actual;
            try (Workspace.Scope scope = workspace.open()) {
                actual = step(pooled, 2, 32, s);
            }
            assertThat(actual).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                // Not bit for bit: a JIT tier change between the two runs may move the last bit of a reduction;
                // a reused array that was not cleared, or one overwritten while in use, moves far more.
                assertThat(relErr(actual.get(i), expected.get(i))).as("step %d, value %d", s, i).isLessThan(1e-5);
            }
            // The first step fills the workspace; later steps of the same shapes find every array there.
            if (s == 1) held = workspace.floatsHeld();
            if (s > 1) assertThat(workspace.floatsHeld()).isEqualTo(held);
        }
        assertThat(held).isGreaterThan(0);
    }

    @Test
    void aScopeKeepsOnlyTheSizesItAskedFor() {
        Workspace workspace = new Workspace();
        try (Workspace.Scope scope = workspace.open()) {
            Workspace.floats(6000);
            Workspace.floats(6000);
            Workspace.floats(9000);
        }
        assertThat(workspace.floatsHeld()).isEqualTo(21_000);
        try (Workspace.Scope scope = workspace.open()) {
            Workspace.floats(7000);
            Workspace.floats(9000);
        }
        assertThat(workspace.floatsHeld()).isEqualTo(16_000); // the 6000s were not asked for: dropped
    }

    @Test
    void releaseDropsTheArraysKeptForTheNextScope() {
        Workspace workspace = new Workspace();
        float[] first;
        try (Workspace.Scope scope = workspace.open()) {
            first = Workspace.floats(6000);
        }
        workspace.release();
        assertThat(workspace.floatsHeld()).isZero();
        try (Workspace.Scope scope = workspace.open()) {
            assertThat(Workspace.floats(6000)).isNotSameAs(first).containsOnly(0f);
        }
        assertThat(workspace.floatsHeld()).isEqualTo(6000);
    }

    @Test
    void arraysComeBackZeroedInTheNextScope() {
        Workspace workspace = new Workspace();
        float[] first;
        try (Workspace.Scope scope = workspace.open()) {
            first = Workspace.floats(5000);
            Arrays.fill(first, 3f);
        }
        try (Workspace.Scope scope = workspace.open()) {
            float[] again = Workspace.floats(5000);
            assertThat(again).isSameAs(first);
            assertThat(again).containsOnly(0f);
            assertThat(Workspace.floats(5000)).isNotSameAs(first);
        }
    }

    @Test
    void onlyArraysLentInTheOpenScopeCanBeGivenBack() {
        Workspace workspace = new Workspace();
        float[] stranger = new float[5000];
        try (Workspace.Scope scope = workspace.open()) {
            Workspace.giveBack(stranger);
            float[] lent = Workspace.floats(5000);
            assertThat(lent).isNotSameAs(stranger);
            lent[0] = 1f;
            Workspace.giveBack(lent);
            float[] reused = Workspace.floats(5000);
            assertThat(reused).isSameAs(lent);
            assertThat(reused[0]).isZero();
        }
        assertThat(workspace.floatsHeld()).isEqualTo(5000);
    }

    @Test
    void outsideAScopeAndForSmallArraysNothingIsPooled() {
        Workspace workspace = new Workspace();
        float[] outside = Workspace.floats(5000);
        Workspace.giveBack(outside);
        assertThat(Workspace.floats(5000)).isNotSameAs(outside);
        try (Workspace.Scope scope = workspace.open()) {
            Workspace.floats(Workspace.MIN_POOLED - 1);
        }
        assertThat(workspace.floatsHeld()).isZero();
    }

    @Test
    void scopesDoNotNest() {
        Workspace workspace = new Workspace();
        try (Workspace.Scope scope = workspace.open()) {
            assertThatThrownBy(workspace::open).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already open");
            assertThatThrownBy(() -> new Workspace().open()).isInstanceOf(IllegalStateException.class);
        }
        try (Workspace.Scope again = workspace.open()) {
            assertThat(Workspace.floats(5000)).hasSize(5000);
        }
    }
}
