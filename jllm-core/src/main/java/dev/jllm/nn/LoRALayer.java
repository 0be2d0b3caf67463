package dev.jllm.nn;

import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * The low-rank update of the book's appendix E: {@code (alpha / rank) · (x · A · B)}.
 *
 * <p>A [in, rank] is drawn like PyTorch's {@code kaiming_uniform_(A, a=√5)}; B [rank, out] starts at zero, so a
 * fresh layer changes nothing. The printed book multiplies by alpha alone; its repository later divided by the
 * rank, so that runs at different ranks need no new learning rate. With the book's alpha = rank = 16 the two agree.
 */
public final class LoRALayer extends Module {
    public final int rank;
    public final float alpha;
    /** [in, rank] */
    public final Tensor a;
    /** [rank, out] */
    public final Tensor b;

    public LoRALayer(int in, int out, int rank, float alpha, RandomGenerator rng) {
        if (rank < 1) throw new IllegalArgumentException("LoRA rank must be positive, got " + rank);
        this.rank = rank;
        this.alpha = alpha;
        this.a = parameter("A", Tensor.zeros(in, rank));
        this.b = parameter("B", Tensor.zeros(rank, out));
        double bound = initBound(rank);
        float[] data = a.data();
        for (int i = 0; i < data.length; i++) data[i] = (float) rng.nextDouble(-bound, bound);
    }

    /**
     * The bound of A's uniform initialisation. PyTorch's {@code kaiming_uniform_(t, a)} draws from ±bound with
     * {@code gain = sqrt(2 / (1 + a²))} and {@code bound = sqrt(3) · gain / sqrt(fan_in)}, and for a 2-D tensor
     * fan_in is {@code size(1)}: for the book's {@code torch.empty(in_dim, rank)} that is the rank, not in_dim. With
     * a = √5 this is {@code 1 / sqrt(rank)}, whatever the layer's width. Evaluated in PyTorch's order so the doubles agree.
     */
    public static double initBound(int rank) {
        double a = Math.sqrt(5);
        double gain = Math.sqrt(2.0 / (1 + a * a));
        return Math.sqrt(3.0) * (gain / Math.sqrt(rank));
    }

    /** The factor on the update, alpha / rank. */
    public float scale() {
        return alpha / rank;
    }

    /** x [..., in] → [..., out] */
    public Tensor forward(Tensor x) {
        return Ops.scale(Ops.matmul(Ops.matmul(x, a), b), scale());
    }
}
