package dev.jllm.finetune;

import dev.jllm.model.GptConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The arithmetic of low-rank adaptation (the book's appendix E), independent of the module that applies it.
 *
 * <p>A LoRA layer beside a frozen {@code Linear(in, out)} adds {@code scale · (x · A · B)} with A [in, rank] drawn
 * like PyTorch's {@code kaiming_uniform_(A, a=√5)}, B [rank, out] zeros (so training starts from the unchanged
 * model), and {@code scale = alpha / rank}. (The printed book multiplies by alpha alone; its repository later
 * divided by the rank so that runs at different ranks need no new learning rate. With the book's alpha = rank = 16
 * both give 1.)
 */
public final class LoRA {
    private LoRA() {}

    /** A {@code Linear}'s weight shape: {@code in} features to {@code out} features. */
    public record LinearShape(int in, int out) {
        public LinearShape {
            if (in < 1 || out < 1) throw new IllegalArgumentException("Linear sizes must be positive: " + in + " -> " + out);
        }
    }

    /**
     * The bound of PyTorch's {@code kaiming_uniform_(t, a)} for a tensor with fan-in {@code fanIn}:
     * {@code gain = sqrt(2 / (1 + a²))} (leaky ReLU), {@code bound = sqrt(3) · gain / sqrt(fanIn)}, evaluated in the
     * same order as PyTorch so the doubles agree.
     */
    public static double kaimingUniformBound(int fanIn, double a) {
        double gain = Math.sqrt(2.0 / (1 + a * a));
        return Math.sqrt(3.0) * (gain / Math.sqrt(fanIn));
    }

    /**
     * The bound of A's uniform initialisation. The book makes A as {@code torch.empty(in_dim, rank)}, and for a 2-D
     * tensor PyTorch's fan-in is {@code size(1)}, the rank (not in_dim): so the bound is {@code 1 / sqrt(rank)}
     * whatever the layer's width.
     */
    public static double initBoundA(int rank) {
        requireRank(rank);
        return kaimingUniformBound(rank, Math.sqrt(5));
    }

    /** A [in, rank] row-major, uniform in ±{@link #initBoundA(int)}. */
    public static float[] initA(int in, int rank, RandomGenerator random) {
        double bound = initBoundA(rank);
        float[] a = new float[Math.multiplyExact(in, rank)];
        for (int i = 0; i < a.length; i++) a[i] = (float) random.nextDouble(-bound, bound);
        return a;
    }

    /** B [rank, out], zeros. */
    public static float[] initB(int rank, int out) {
        requireRank(rank);
        return new float[Math.multiplyExact(rank, out)];
    }

    /** The factor on the low-rank update, {@code alpha / rank}. */
    public static float scale(float alpha, int rank) {
        requireRank(rank);
        return alpha / rank;
    }

    /** Trainable parameters added by LoRA of {@code rank} on each of these layers: {@code rank · (in + out)} each. */
    public static long trainableParameters(List<LinearShape> layers, int rank) {
        requireRank(rank);
        long n = 0;
        for (LinearShape s : layers) n += (long) rank * (s.in() + s.out());
        return n;
    }

    /**
     * The {@code Linear} layers of the book's GPT model that appendix E replaces, with an output head of
     * {@code headOut} classes: per block the query, key, value and output projections [emb, emb] and the two
     * feed-forward layers [emb, 4·emb] and [4·emb, emb], then the head [emb, headOut]. Query, key and value are three
     * separate layers, as in the book: one fused qkv layer [emb, 3·emb] would get fewer LoRA parameters.
     */
    public static List<LinearShape> bookGptLinears(GptConfig config, int headOut) {
        int e = config.embDim();
        List<LinearShape> out = new ArrayList<>();
        for (int layer = 0; layer < config.nLayers(); layer++) {
            for (int i = 0; i < 4; i++) out.add(new LinearShape(e, e));
            out.add(new LinearShape(e, 4 * e));
            out.add(new LinearShape(4 * e, e));
        }
        out.add(new LinearShape(e, headOut));
        return out;
    }

    private static void requireRank(int rank) {
        if (rank < 1) throw new IllegalArgumentException("LoRA rank must be positive, got " + rank);
    }
}
