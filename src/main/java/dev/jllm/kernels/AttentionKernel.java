package dev.jllm.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal scaled dot-product attention over heads packed side by side in the channel dimension, fused so that
 * no T×T matrix is ever stored: forward keeps one log-sum-exp per query row, backward recomputes the attention
 * weights from it (the memory plan of FlashAttention).
 *
 * <p>Layout: q [B, Tq, C], k and v [B, Tk, C] with C = H·hd; head h owns columns h·hd .. (h+1)·hd. Query i
 * sits at position i + (Tk − Tq) and sees keys 0 .. that position, so Tq = Tk is ordinary causal attention and
 * Tq &lt; Tk is decoding against a cache of earlier keys (k and v may be longer buffers; only Tk rows are read).
 *
 * <p>Work is split over (batch, head) pairs, and each pair owns its columns of the outputs and gradients: no
 * shared writes. Per pair, kᵀ (and in backward vᵀ) is copied into a [hd, Tk] scratch so that a row of scores
 * q·kᵀ is computed a vector of keys at a time; a row of Tk scores is the only other scratch (it stays in L1 for
 * the contexts GPT-2 uses, so the row maximum is found exactly before the exponentials instead of rescaling a
 * running output as a tiled GPU kernel must).
 *
 * <p>Dropout on the attention weights draws its keep/drop decision from a hash of (seed, b, h, i, j)
 * ({@link DropoutKernel#kept}), so backward reproduces the mask without storing it.
 */
public final class AttentionKernel {
    private AttentionKernel() {}

    private static final VectorSpecies<Float> F = Elementwise.F;
    private static final int L = F.length();

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
            float[] kt = new float[hd * tk], scores = new float[tk];
            for (int pair = p0; pair < p1; pair++) {
                int b = pair / heads, h = pair % heads;
                int kBase = b * tk * c + h * hd;
                transposeHead(k, kBase, c, kt, hd, tk);
                for (int i = 0; i < tq; i++) {
                    int qOff = (b * tq + i) * c + h * hd;
                    int n = i + tk - tq + 1; // keys this query sees
                    scores(q, qOff, kt, hd, tk, n, scale, scores);
                    float max = Elementwise.max(scores, 0, n);
                    float sum = Elementwise.expShifted(scores, 0, max, scores, 0, n);
                    if (lse != null) lse[pair * tq + i] = max + (float) Math.log(sum);
                    float inv = 1f / sum;
                    Arrays.fill(out, qOff, qOff + hd, 0f);
                    long row = ((long) pair * tq + i) * tk;
                    for (int j = 0; j < n; j++) {
                        float p = scores[j] * inv;
                        if (dropP > 0f) p = DropoutKernel.kept(seed, row + j, dropP) ? p * keepScale : 0f;
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
            float[] kt = new float[hd * tk], vt = new float[hd * tk], p = new float[tk], dA = new float[tk];
            for (int pair = p0; pair < p1; pair++) {
                int b = pair / heads, h = pair % heads;
                int kBase = b * tk * c + h * hd;
                transposeHead(k, kBase, c, kt, hd, tk);
                transposeHead(v, kBase, c, vt, hd, tk);
                for (int i = 0; i < tq; i++) {
                    int qOff = (b * tq + i) * c + h * hd;
                    int n = i + tk - tq + 1;
                    // P row, recomputed from the saved log-sum-exp; dA = dOᵢ·vⱼ
                    scores(q, qOff, kt, hd, tk, n, scale, p);
                    Elementwise.expShifted(p, 0, lse[pair * tq + i], p, 0, n);
                    scores(dout, qOff, vt, hd, tk, n, 1f, dA);
                    float dSum = Elementwise.dot(dout, qOff, out, qOff, hd);
                    long row = ((long) pair * tq + i) * tk;
                    for (int j = 0; j < n; j++) {
                        float z = dropP > 0f ? (DropoutKernel.kept(seed, row + j, dropP) ? keepScale : 0f) : 1f;
                        int kOff = kBase + j * c;
                        if (dv != null && z != 0f) Elementwise.axpy(p[j] * z, dout, qOff, dv, kOff, hd);
                        float ds = p[j] * (dA[j] * z - dSum) * scale;
                        if (dq != null) Elementwise.axpy(ds, k, kOff, dq, qOff, hd);
                        if (dk != null) Elementwise.axpy(ds, q, qOff, dk, kOff, hd);
                    }
                }
            }
        });
    }

    /** kt[d, j] = k[base + j·c + d] for one head: [Tk, hd] at stride c → [hd, Tk]. */
    private static void transposeHead(float[] k, int base, int c, float[] kt, int hd, int tk) {
        for (int j = 0; j < tk; j++) {
            int src = base + j * c;
            for (int dd = 0; dd < hd; dd++) kt[dd * tk + j] = k[src + dd];
        }
    }

    /**
     * s[j] = scale · Σ_d x[xOff + d] · kt[d, j] for j in [0, n): one query against n keys, four vectors of keys
     * at a time so that four independent FMA chains hide the latency.
     */
    private static void scores(float[] x, int xOff, float[] kt, int hd, int tk, int n, float scale, float[] s) {
        int j = 0;
        int vEnd = Elementwise.vectorEnd(n);
        for (; j + 4 * L <= vEnd; j += 4 * L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int dd = 0; dd < hd; dd++) {
                FloatVector xb = FloatVector.broadcast(F, x[xOff + dd]);
                int o = dd * tk + j;
                a0 = FloatVector.fromArray(F, kt, o).fma(xb, a0);
                a1 = FloatVector.fromArray(F, kt, o + L).fma(xb, a1);
                a2 = FloatVector.fromArray(F, kt, o + 2 * L).fma(xb, a2);
                a3 = FloatVector.fromArray(F, kt, o + 3 * L).fma(xb, a3);
            }
            a0.mul(scale).intoArray(s, j);
            a1.mul(scale).intoArray(s, j + L);
            a2.mul(scale).intoArray(s, j + 2 * L);
            a3.mul(scale).intoArray(s, j + 3 * L);
        }
        for (; j + L <= vEnd; j += L) {
            FloatVector a = FloatVector.zero(F);
            for (int dd = 0; dd < hd; dd++) {
                a = FloatVector.fromArray(F, kt, dd * tk + j).fma(FloatVector.broadcast(F, x[xOff + dd]), a);
            }
            a.mul(scale).intoArray(s, j);
        }
        for (; j < n; j++) {
            float acc = 0f;
            for (int dd = 0; dd < hd; dd++) acc += x[xOff + dd] * kt[dd * tk + j];
            s[j] = acc * scale;
        }
    }
}
