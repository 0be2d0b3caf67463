package dev.jllm.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.kernels.Bf16;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Read-only bfloat16 tensors (a checkpoint's weights in place): linear and embedding read them widened, exactly as
 * float32 ops read the widened values; the input gradient flows through them; they are never trained.
 */
class Bf16TensorTest {

    @Test
    void aBf16CopyHoldsTheRoundedValuesAndIsReadOnly() {
        float[] v = GradCheck.random(new Random(1), 12);
        Tensor b = Tensor.of(v, 3, 4).toBf16();
        assertThat(b.isBf16()).isTrue();
        assertThat(b.size()).isEqualTo(12);
        assertThat(b.shape()).containsExactly(3, 4);
        float[] back = b.toFloat32().data();
        for (int i = 0; i < v.length; i++) assertThat(back[i]).isEqualTo(Bf16.toFloat(Bf16.fromFloat(v[i])));
        assertThat(b.requiresGrad()).isFalse();
        assertThatThrownBy(() -> b.requiresGrad(true)).hasMessageContaining("read-only");
        assertThatThrownBy(b::data).hasMessageContaining("bfloat16");
        assertThat(b.requiresGrad(false).isBf16()).isTrue();
    }

    @Test
    void linearOverABf16WeightIsTheFloatLinearOfItsWidenedValuesWithItsGradients() {
        Random rnd = new Random(2);
        for (int rows : new int[] {2, 9}) { // a decode-sized and a prefill-sized input
            Tensor w = Tensor.of(GradCheck.random(rnd, 6 * 10), 6, 10).toBf16();
            Tensor wide = w.toFloat32();
            Tensor x = GradCheck.param(rnd, rows, 10), b = GradCheck.param(rnd, 6);
            GradCheck.check("linear bf16 rows " + rows, List.of(x, wide, b), in -> Ops.linear(in.get(0), w, in.get(2)),
                    d -> Ref.linear(d[0], d[1], d[2], rows, 10, 6), 1e-5, 1e-3);

            x.zeroGrad();
            Tensor x2 = Tensor.of(x.data().clone(), x.shape()).requiresGrad(true);
            Tensor wf = Tensor.of(wide.data().clone(), 6, 10);
            Tensor g = Tensor.of(GradCheck.random(rnd, rows * 6), rows, 6);
            Ops.sum(Ops.mul(Ops.linear(x, w, b), g)).backward();
            Ops.sum(Ops.mul(Ops.linear(x2, wf, null), g)).backward();
            assertThat(GradCheck.relErr(x.grad(), x2.grad())).isLessThan(1e-6);
        }
    }

    @Test
    void embeddingRowsOfABf16TableAreItsWidenedRows() {
        Tensor table = Tensor.of(GradCheck.random(new Random(3), 7 * 5), 7, 5).toBf16();
        int[] ids = {6, 0, 3, 3};
        Tensor y = Ops.embedding(table, ids, 2, 2);
        assertThat(y.shape()).containsExactly(2, 2, 5);
        float[] wide = table.toFloat32().data();
        for (int i = 0; i < ids.length; i++) {
            for (int c = 0; c < 5; c++) assertThat(y.data()[i * 5 + c]).isEqualTo(wide[ids[i] * 5 + c]);
        }
        assertThat(y.requiresGrad()).isFalse();
    }
}
