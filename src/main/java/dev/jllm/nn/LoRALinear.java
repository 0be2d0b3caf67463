package dev.jllm.nn;

import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A Linear with LoRA beside it (the book's {@code LinearWithLoRA}): {@code linear(x) + lora(x)}.
 *
 * <p>The output may be cut into parts, each with its own {@link LoRALayer}. A fused query/key/value projection
 * [3·emb, emb] with parts {@code emb, emb, emb} then gets exactly the adapters of the book's three separate
 * W_query, W_key, W_value layers (and their parameter count: the book's 2,666,528 for rank 16 on the 124M spam
 * classifier), where one adapter over the fused output would be a different, smaller model.
 *
 * <p>Like the book, this does not freeze the wrapped Linear: freeze the model first, then wrap.
 * Parameter names: {@code linear.weight}, {@code linear.bias}, and {@code lora.A}, {@code lora.B} (one part) or
 * {@code lora.0.A}, {@code lora.0.B}, ... (several).
 */
public final class LoRALinear extends Module {
    public final Linear linear;
    /** One adapter per output part, in output order. */
    public final List<LoRALayer> adapters;
    private final int[] parts;

    /**
     * @param parts output sizes of the parts, adding up to {@code linear.out}; none: one part, the whole output
     */
    public LoRALinear(Linear linear, int rank, float alpha, RandomGenerator rng, int... parts) {
        this.parts = parts.length == 0 ? new int[] {linear.out} : parts.clone();
        if (Arrays.stream(this.parts).sum() != linear.out || Arrays.stream(this.parts).anyMatch(p -> p < 1)) {
            throw new IllegalArgumentException("LoRA parts " + Arrays.toString(parts) + " do not split the "
                    + linear.out + " outputs of the Linear");
        }
        this.linear = child("linear", linear);
        List<LoRALayer> list = new ArrayList<>();
        for (int i = 0; i < this.parts.length; i++) {
            String name = this.parts.length == 1 ? "lora" : "lora." + i;
            list.add(child(name, new LoRALayer(linear.in, this.parts[i], rank, alpha, rng)));
        }
        this.adapters = Collections.unmodifiableList(list);
    }

    /** x [..., in] → [..., out] */
    public Tensor forward(Tensor x) {
        Tensor y = linear.forward(x);
        if (adapters.size() == 1) return Ops.add(y, adapters.getFirst().forward(x));
        Tensor[] deltas = new Tensor[adapters.size()];
        for (int i = 0; i < deltas.length; i++) deltas[i] = adapters.get(i).forward(x);
        return Ops.add(y, Ops.concat(-1, deltas));
    }

    /**
     * A plain Linear computing the same function: W + scale · (A·B)ᵀ per part (W is [out, in], A·B is [in, out]),
     * the bias copied. For export; this module is unchanged.
     */
    public Linear merged() {
        Linear m = new Linear(linear.in, linear.out, linear.bias != null);
        float[] w = m.weight.data();
        System.arraycopy(linear.weight.data(), 0, w, 0, w.length);
        if (linear.bias != null) System.arraycopy(linear.bias.data(), 0, m.bias.data(), 0, m.bias.size());
        int in = linear.in;
        int row0 = 0;
        for (int p = 0; p < parts.length; p++) {
            LoRALayer l = adapters.get(p);
            float[] a = l.a.data(); // [in, rank]
            float[] b = l.b.data(); // [rank, parts[p]]
            for (int o = 0; o < parts[p]; o++) {
                for (int i = 0; i < in; i++) {
                    double s = 0;
                    for (int r = 0; r < l.rank; r++) s += (double) a[i * l.rank + r] * b[r * parts[p] + o];
                    w[(row0 + o) * in + i] += (float) (l.scale() * s);
                }
            }
            row0 += parts[p];
        }
        return m;
    }
}
