package dev.jllm.kernels;

/**
 * Causal scaled dot-product attention over heads packed side by side in the channel dimension, fused so that
 * no T×T matrix is ever stored: forward keeps one log-sum-exp per query row, backward recomputes the attention
 * weights from it (the memory plan of FlashAttention).
 *
 * <p>Layout: q [B, Tq, C], k and v [B, Tk, C] with C = H·hd; head h owns columns h·hd .. (h+1)·hd. Query i
 * sits at position i + (Tk − Tq) and sees keys 0 .. that position, so Tq = Tk is ordinary causal attention and
 * Tq &lt; Tk is decoding against a cache of earlier keys. A row of Tk scores is the only scratch (it stays in L1
 * for the contexts GPT-2 uses, so the row maximum is found exactly before the exponentials instead of
 * rescaling a running output). Work is split over (batch, head) pairs, and each pair owns its columns of the
 * outputs and gradients: no shared writes.
 *
 * <p>Dropout on the attention weights draws its keep/drop decision from a hash of (seed, b, h, i, j), so
 * backward reproduces the mask without storing it.
 */
public final class AttentionKernel {
    private AttentionKernel() {}

    /** Shapes of one attention call. */
    public record Dims(int batch, int tq, int tk, int channels, int heads) {
        public Dims {
            if (heads <= 0 || channels % heads != 0) {
                throw new IllegalArgumentException("attention: " + channels + " channels do not split into " + heads + " heads");
            }
            if (tq > tk) throw new IllegalArgumentException("attention: " + tq + " queries but only " + tk + " keys");
        }

        public int headDim() {
            return channels / heads;
        }
    }

    /**
     * out [B, Tq, C] = softmax(q·kᵀ/√hd + causal mask) (with dropout p, seeded) · v; writes lse [B, H, Tq]
     * (null to skip, in inference).
     */
    public static void forward(float[] q, float[] k, float[] v, float[] out, float[] lse, Dims d,
                               float dropP, long seed) {
        int hd = d.headDim(), c = d.channels(), heads = d.heads(), tq = d.tq(), tk = d.tk();
        float scale = (float) (1.0 / Math.sqrt(hd));
        float keepScale = dropP > 0f ? 1f / (1f - dropP) : 1f;
        Elementwise.forRows(d.batch() * heads, (long) tq * tk * hd, (p0, p1) -> {
            float[] scores = new float[tk];
            for (int pair = p0; pair < p1; pair++) {
                int b = pair / heads, h = pair % heads;
                int kBase = b * tk * c + h * hd;
                for (int i = 0; i < tq; i++) {
                    int qOff = (b * tq + i) * c + h * hd;
                    int last = i + tk - tq;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j <= last; j++) {
                        float s = Elementwise.dot(q, qOff, k, kBase + j * c, hd) * scale;
                        scores[j] = s;
                        if (s > max) max = s;
                    }
                    float sum = 0f;
                    for (int j = 0; j <= last; j++) {
                        float e = (float) Math.exp(scores[j] - max);
                        scores[j] = e;
                        sum += e;
                    }
                    if (lse != null) lse[pair * tq + i] = max + (float) Math.log(sum);
                    float inv = 1f / sum;
                    java.util.Arrays.fill(out, qOff, qOff + hd, 0f);
                    for (int j = 0; j <= last; j++) {
                        float p = scores[j] * inv;
                        if (dropP > 0f) p = DropoutKernel.kept(seed, ((long) pair * tq + i) * tk + j, dropP) ? p * keepScale : 0f;
                        if (p != 0f) Elementwise.axpy(p, v, kBase + j * c, out, qOff, hd);
                    }
                }
            }
        });
    }

    /**
     * Given the forward's inputs, its output and lse, and dout [B, Tq, C], adds into dq, dk, dv (each may be
     * null when that input needs no gradient). With P the attention weights, A = P ⊙ dropout mask, and
     * Dᵢ = Σⱼ Aᵢⱼ·(dOᵢ·vⱼ) = dOᵢ·Oᵢ: dv += Aᵀ·dO, dS = P ⊙ (mask ⊙ (dO·vᵀ) − D), dq += dS·k/√hd, dk += dSᵀ·q/√hd.
     */
    public static void backward(float[] q, float[] k, float[] v, float[] out, float[] lse, float[] dout,
                                float[] dq, float[] dk, float[] dv, Dims d, float dropP, long seed) {
        int hd = d.headDim(), c = d.channels(), heads = d.heads(), tq = d.tq(), tk = d.tk();
        float scale = (float) (1.0 / Math.sqrt(hd));
        float keepScale = dropP > 0f ? 1f / (1f - dropP) : 1f;
        Elementwise.forRows(d.batch() * heads, 2L * tq * tk * hd, (p0, p1) -> {
            for (int pair = p0; pair < p1; pair++) {
                int b = pair / heads, h = pair % heads;
                int kBase = b * tk * c + h * hd;
                for (int i = 0; i < tq; i++) {
                    int qOff = (b * tq + i) * c + h * hd;
                    int last = i + tk - tq;
                    float rowLse = lse[pair * tq + i];
                    float dSum = Elementwise.dot(dout, qOff, out, qOff, hd);
                    for (int j = 0; j <= last; j++) {
                        int kOff = kBase + j * c;
                        float p = (float) Math.exp(Elementwise.dot(q, qOff, k, kOff, hd) * scale - rowLse);
                        float z = dropP > 0f ? (DropoutKernel.kept(seed, ((long) pair * tq + i) * tk + j, dropP) ? keepScale : 0f) : 1f;
                        if (dv != null && z != 0f) Elementwise.axpy(p * z, dout, qOff, dv, kOff, hd);
                        float dA = z == 0f ? 0f : Elementwise.dot(dout, qOff, v, kOff, hd);
                        float ds = p * (dA * z - dSum) * scale;
                        if (dq != null) Elementwise.axpy(ds, k, kOff, dq, qOff, hd);
                        if (dk != null) Elementwise.axpy(ds, q, qOff, dk, kOff, hd);
                    }
                }
            }
        });
    }
}
