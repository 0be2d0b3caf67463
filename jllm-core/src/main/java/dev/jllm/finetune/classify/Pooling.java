package dev.jllm.finetune.classify;

import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;
import java.util.Locale;

/** Which hidden states a classifier reads: the last real token's (the book's choice), or the mean over real tokens. */
public enum Pooling {
    /** The output at the last real (non-padding) token, which has attended to the whole message. */
    LAST,
    /** The average of the outputs at all real tokens (padding excluded). */
    MEAN;

    /**
     * hidden [B, T, C] → [B, C]. Both poolings are a weighted sum over positions, computed as one batched product
     * weights [B, 1, T] · hidden [B, T, C]; padding (after {@code lastIndex[b]}) gets weight 0, so it never matters.
     *
     * @param lastIndex [B]: position of each row's last real token
     */
    public Tensor pool(Tensor hidden, int[] lastIndex) {
        int b = hidden.dim(0), t = hidden.dim(1), c = hidden.dim(2);
        if (lastIndex.length != b) {
            throw new IllegalArgumentException(lastIndex.length + " last positions for a batch of " + b);
        }
        float[] w = new float[b * t];
        for (int r = 0; r < b; r++) {
            int last = lastIndex[r];
            if (last < 0 || last >= t) throw new IllegalArgumentException("last position " + last + " outside 0.." + (t - 1));
            if (this == LAST) {
                w[r * t + last] = 1f;
            } else {
                for (int i = 0; i <= last; i++) w[r * t + i] = 1f / (last + 1);
            }
        }
        return Ops.matmul(Tensor.of(w, b, 1, t), hidden).reshape(b, c);
    }

    /** The command-line spelling: {@code last} or {@code mean}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Pooling parse(String name) {
        for (Pooling p : values()) if (p.cliName().equalsIgnoreCase(name)) return p;
        throw new IllegalArgumentException("unknown pooling '" + name + "' (choose last or mean)");
    }
}
