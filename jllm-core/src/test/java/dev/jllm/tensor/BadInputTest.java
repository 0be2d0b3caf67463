package dev.jllm.tensor;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Mismatched shapes and out-of-range ids fail with one line naming what is wrong. */
class BadInputTest {

    @Test
    void linearNamesInputAndWeight() {
        assertThatThrownBy(() -> Ops.linear(Tensor.zeros(2, 5), Tensor.zeros(3, 4), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 5]").hasMessageContaining("[3, 4]");
        assertThatThrownBy(() -> Ops.linear(Tensor.zeros(2, 4), Tensor.zeros(3, 4), Tensor.zeros(4)))
                .hasMessageContaining("bias [4]").hasMessageContaining("[3, 4]");
    }

    @Test
    void matmulNamesBothShapes() {
        assertThatThrownBy(() -> Ops.matmul(Tensor.zeros(2, 3), Tensor.zeros(4, 5)))
                .hasMessageContaining("[2, 3]").hasMessageContaining("[4, 5]");
        assertThatThrownBy(() -> Ops.matmul(Tensor.zeros(2, 2, 3), Tensor.zeros(3, 3, 5)))
                .hasMessageContaining("[2, 2, 3]").hasMessageContaining("[3, 3, 5]");
    }

    @Test
    void addAndMulNameBothShapes() {
        assertThatThrownBy(() -> Ops.add(Tensor.zeros(2, 3), Tensor.zeros(2)))
                .hasMessageContaining("[2, 3]").hasMessageContaining("[2]");
        assertThatThrownBy(() -> Ops.mul(Tensor.zeros(4), Tensor.zeros(5)))
                .hasMessageContaining("[4]").hasMessageContaining("[5]");
    }

    @Test
    void embeddingRejectsIdsOutOfRange() {
        assertThatThrownBy(() -> Ops.embedding(Tensor.zeros(10, 4), new int[] {3, 10}, 2))
                .hasMessageContaining("id 10").hasMessageContaining("10 rows");
        assertThatThrownBy(() -> Ops.embedding(Tensor.zeros(10, 4), new int[] {-1}, 1)).hasMessageContaining("id -1");
        assertThatThrownBy(() -> Ops.embedding(Tensor.zeros(10, 4), new int[] {1, 2, 3}, 2, 2))
                .hasMessageContaining("[2, 2]");
    }

    @Test
    void crossEntropyChecksTargets() {
        assertThatThrownBy(() -> Ops.crossEntropy(Tensor.zeros(2, 5), new int[] {0}))
                .hasMessageContaining("[2, 5]").hasMessageContaining("1 targets");
        assertThatThrownBy(() -> Ops.crossEntropy(Tensor.zeros(2, 5), new int[] {0, 5}))
                .hasMessageContaining("target 5").hasMessageContaining("5 classes");
    }

    @Test
    void layerNormAttentionAndShapeOps() {
        assertThatThrownBy(() -> Ops.layerNorm(Tensor.zeros(2, 4), Tensor.zeros(3), Tensor.zeros(4), 1e-5f))
                .hasMessageContaining("[2, 4]").hasMessageContaining("[3]");
        assertThatThrownBy(() -> Ops.causalAttention(Tensor.zeros(1, 2, 6), Tensor.zeros(1, 2, 6), Tensor.zeros(1, 2, 6), 4, 0f, null))
                .hasMessageContaining("6 channels").hasMessageContaining("4 heads");
        assertThatThrownBy(() -> Ops.causalAttention(Tensor.zeros(1, 2, 6), Tensor.zeros(1, 3, 6), Tensor.zeros(1, 2, 6), 2, 0f, null))
                .hasMessageContaining("[1, 3, 6]").hasMessageContaining("[1, 2, 6]");
        assertThatThrownBy(() -> Ops.concat(0, Tensor.zeros(2, 3), Tensor.zeros(2, 4)))
                .hasMessageContaining("[2, 3]").hasMessageContaining("[2, 4]");
        assertThatThrownBy(() -> Ops.split(Tensor.zeros(2, 6), 1, 2, 2)).hasMessageContaining("[2, 6]");
        assertThatThrownBy(() -> Ops.narrow(Tensor.zeros(2, 6), 1, 4, 3)).hasMessageContaining("[2, 6]");
        assertThatThrownBy(() -> Ops.transpose(Tensor.zeros(2, 6), 0, 2)).hasMessageContaining("dimension 2");
    }
}
