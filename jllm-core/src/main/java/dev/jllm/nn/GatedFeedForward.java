package dev.jllm.nn;

import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;

/**
 * The gated feed-forward layer of Llama, Qwen and Gemma: down(act(gate(x)) ⊙ up(x)), with act SiLU (SwiGLU) or the
 * tanh GELU (GeGLU). Named as Hugging Face names it: gate_proj, up_proj, down_proj (the book's fc1, fc2, fc3).
 */
public final class GatedFeedForward extends Module {
    public final Linear gate;
    public final Linear up;
    public final Linear down;
    public final boolean gelu;

    public GatedFeedForward(int emb, int hidden, boolean gelu) {
        this(emb, hidden, gelu, ParameterSource.NEW);
    }

    /** The layer with the weights {@code source} gives. */
    public GatedFeedForward(int emb, int hidden, boolean gelu, ParameterSource source) {
        this.gate = child("gate_proj", new Linear(emb, hidden, false, source.child("gate_proj")));
        this.up = child("up_proj", new Linear(emb, hidden, false, source.child("up_proj")));
        this.down = child("down_proj", new Linear(hidden, emb, false, source.child("down_proj")));
        this.gelu = gelu;
    }

    /** x [B, T, emb] → [B, T, emb] */
    public Tensor forward(Tensor x) {
        Tensor g = gate.forward(x);
        return down.forward(Ops.mul(gelu ? Ops.gelu(g) : Ops.silu(g), up.forward(x)));
    }
}
