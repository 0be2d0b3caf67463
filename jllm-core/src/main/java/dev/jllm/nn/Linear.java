package dev.jllm.nn;

import dev.jllm.tensor.Ops;
import dev.jllm.tensor.OutputHead;
import dev.jllm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * y = x·Wᵀ + b, with W stored [out, in] like PyTorch's {@code nn.Linear}; optionally plus LoRA adapters.
 *
 * <p>{@link #addLoRA} puts the book's {@code LinearWithLoRA} (appendix E) inside the layer itself, so a model's
 * fields and checkpoint names stay as they are: {@code y = x·Wᵀ + b + lora(x)}. The output may be cut into parts,
 * each with its own {@link LoRALayer}: a fused query/key/value projection [3·emb, emb] with parts
 * {@code emb, emb, emb} then gets exactly the adapters of the book's three separate W_query, W_key and W_value
 * (and their parameter count), where one adapter over the fused output would be a different, smaller model.
 * Adapter parameters are named {@code lora.A}, {@code lora.B} (one part) or {@code lora.0.A}, ... (several).
 */
public final class Linear extends Module {
    public final int in;
    public final int out;
    /** [out, in] */
    public final Tensor weight;
    /** [out], or null without bias */
    public final Tensor bias;

    private List<LoRALayer> adapters = List.of();
    private int[] parts;

    public Linear(int in, int out, boolean bias) {
        this(in, out, bias, ParameterSource.NEW);
    }

    /** A Linear whose weight (and bias) {@code source} gives. */
    public Linear(int in, int out, boolean bias, ParameterSource source) {
        this.in = in;
        this.out = out;
        this.weight = parameter("weight", source, 0f, out, in);
        this.bias = bias ? parameter("bias", source, 0f, out) : null;
    }

    /**
     * Adds LoRA adapters (trainable; this layer's own weight and bias keep their state, so freeze them first, as
     * the book does).
     *
     * @param parts output sizes of the parts, adding up to {@code out}; none: one part, the whole output
     */
    public void addLoRA(int rank, float alpha, RandomGenerator rng, int... parts) {
        if (!adapters.isEmpty()) throw new IllegalStateException("this Linear already has LoRA adapters");
        int[] p = parts.length == 0 ? new int[] {out} : parts.clone();
        if (Arrays.stream(p).sum() != out || Arrays.stream(p).anyMatch(n -> n < 1)) {
            throw new IllegalArgumentException("LoRA parts " + Arrays.toString(parts) + " do not split the "
                    + out + " outputs of the Linear");
        }
        List<LoRALayer> list = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            String name = p.length == 1 ? "lora" : "lora." + i;
            list.add(child(name, new LoRALayer(in, p[i], rank, alpha, rng)));
        }
        this.parts = p;
        this.adapters = Collections.unmodifiableList(list);
    }

    /** The LoRA adapters, one per output part, in output order; empty without LoRA. */
    public List<LoRALayer> adapters() {
        return adapters;
    }

    /** x [..., in] → [..., out] */
    public Tensor forward(Tensor x) {
        if (adapters.size() == 1) {
            LoRALayer l = adapters.getFirst();
            return Ops.linearLoRA(x, weight, bias, l.a, l.b, l.scale());
        }
        Tensor y = Ops.linear(x, weight, bias);
        if (adapters.isEmpty()) return y;
        Tensor[] deltas = new Tensor[adapters.size()];
        for (int i = 0; i < deltas.length; i++) deltas[i] = adapters.get(i).forward(x);
        return Ops.add(y, Ops.concat(-1, deltas));
    }

    /** This layer as a model's output head (weight, bias, its adapter); an output cut into parts is refused. */
    public OutputHead asOutputHead() {
        if (adapters.size() > 1) {
            throw new IllegalStateException("an output head has one LoRA adapter, not " + adapters.size());
        }
        OutputHead h = OutputHead.of(weight).withBias(bias);
        if (adapters.isEmpty()) return h;
        LoRALayer l = adapters.getFirst();
        return h.withLoRA(l.a, l.b, l.scale());
    }

    /**
     * The weight [out, in] of a plain Linear computing the same function: W + scale · (A·B)ᵀ per part (A·B is
     * [in, part]). A copy, for export; equal to W without LoRA.
     */
    public Tensor mergedWeight() {
        float[] w = weight.isReadOnly() ? weight.toFloat32().data() : weight.data().clone();
        int row0 = 0;
        for (int p = 0; p < adapters.size(); p++) {
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
        return Tensor.of(w, out, in);
    }
}
