package dev.jllm.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AutogradTest {

    @Test
    void tensorUsedTwiceGetsTheSumOfItsGradients() {
        // loss = Σ (x ⊙ x) + Σ x  →  dloss/dx = 2x + 1
        Tensor x = Tensor.of(new float[] {1, -2, 3}, 3).requiresGrad(true);
        Tensor loss = Ops.add(Ops.sum(Ops.mul(x, x)), Ops.sum(x));
        loss.backward();
        assertThat(loss.item()).isEqualTo(14f + 2f);
        assertThat(x.grad()).containsExactly(3f, -3f, 7f);
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        Ops.sum(Ops.scale(x, 3f)).backward();
        Ops.sum(Ops.scale(x, 3f)).backward();
        assertThat(x.grad()).containsExactly(6f, 6f);
        x.zeroGrad();
        assertThat(x.grad()).containsExactly(0f, 0f);
    }

    @Test
    void frozenTensorsGetNoGradientAndConstantsRecordNothing() {
        Tensor w = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2); // frozen
        Tensor x = Tensor.of(new float[] {1, 1}, 1, 2).requiresGrad(true);
        Tensor y = Ops.linear(x, w, null);
        Ops.sum(y).backward();
        assertThat(w.grad()).isNull();
        assertThat(x.grad()).containsExactly(4f, 6f);

        Tensor c = Ops.gelu(Ops.linear(Tensor.of(new float[] {1, 1}, 1, 2), w, null));
        assertThat(c.requiresGrad()).isFalse();
        assertThat(c.node).isNull();
    }

    @Test
    void noGradScopeRecordsNothing() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        Tensor y;
        try (var g = NoGrad.enter()) {
            y = Ops.scale(x, 2f);
            assertThat(NoGrad.active()).isTrue();
        }
        assertThat(NoGrad.active()).isFalse();
        assertThat(y.requiresGrad()).isFalse();
        assertThat(Ops.scale(x, 2f).requiresGrad()).isTrue();
    }

    @Test
    void reshapeAndDetach() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor r = x.reshape(3, -1);
        assertThat(r.shape()).containsExactly(3, 2);
        assertThat(r.data()).isSameAs(x.data());
        Ops.sum(Ops.scale(r, 2f)).backward();
        assertThat(x.grad()).containsOnly(2f);
        Tensor d = x.detach();
        assertThat(d.requiresGrad()).isFalse();
        assertThat(d.data()).isSameAs(x.data());
        assertThatThrownBy(() -> x.reshape(4, 2)).hasMessageContaining("[2, 3]").hasMessageContaining("[4, 2]");
    }

    @Test
    void backwardNeedsAScalarThatDependsOnAParameter() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        assertThatThrownBy(() -> Ops.scale(x, 2f).backward()).hasMessageContaining("one-value");
        assertThatThrownBy(() -> Ops.sum(Tensor.zeros(2)).backward()).hasMessageContaining("requires grad");
    }

    @Test
    void deepChainsDoNotOverflowTheStack() {
        Tensor x = Tensor.of(new float[] {1}, 1).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 20000; i++) y = Ops.scale(y, 1f);
        Ops.sum(y).backward();
        assertThat(x.grad()).containsExactly(1f);
    }
}
