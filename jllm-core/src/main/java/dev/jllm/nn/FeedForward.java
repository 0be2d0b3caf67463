package dev.jllm.nn;

import dev.jllm.tensor.Tensor;

/** The block's MLP: emb → 4·emb → GELU → emb. */
public final class FeedForward extends Module {
    public final Linear fc1;
    public final Gelu gelu;
    public final Linear fc2;

    public FeedForward(int emb) {
        this.fc1 = child("fc1", new Linear(emb, 4 * emb, true));
        this.gelu = child("gelu", new Gelu());
        this.fc2 = child("fc2", new Linear(4 * emb, emb, true));
    }

    /** x [B, T, emb] → [B, T, emb] */
    public Tensor forward(Tensor x) {
        return fc2.forward(gelu.forward(fc1.forward(x)));
    }
}
