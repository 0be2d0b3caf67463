package dev.jllm.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal scaled dot-product attention over heads packed side by side in the channel dimension, fused so that
 * no T×T matrix is kept: forward keeps one log-sum-exp per query row, backward recomputes the attention
 * weights from it (the memory plan of FlashAttention).
 *
 * <p>Layout: q [B, Tq, C], k and v [B, Tk, C] with C = H·hd; head h owns columns h·hd .. (h+1)·hd. Query i
 * sits at position i + (Tk − Tq) and sees keys 0 .. that position, so Tq = Tk is ordinary causal attention and
 * Tq &lt; Tk is decoding against a cache of earlier keys (k and v may be longer buffers; only Tk rows are read).
 * Work is split over (batch, head) pairs, and each pair owns its columns of the outputs and gradients: no
 * shared writes.
 *
 * <p>Training shapes go through blocks of {@link #QB} queries: the block's scores against the keys it can see,
 * a [QB, keys] scratch that lives only while the block is processed, are one packed matrix product
 * ({@link Gemm}, with the head's columns read through strides), and so are P·V and the four products of the
 * backward; the flops run on the register-tiled micro-kernel.
 *
 * <p>A few queries (decoding) take the row-by-row path: forward takes one dot product per visible key, read in
 * place; backward copies kᵀ and vᵀ into [hd, Tk] scratches so that a row of scores is computed a vector of keys
 * at a time. A row of Tk scores is the only other scratch (it stays in L1 for the contexts GPT-2 uses, so the
 * row maximum is found exactly before the exponentials instead of rescaling a running output as a tiled GPU
 * kernel must).
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

    /** Queries per block of the blocked path: the scores scratch is QB·Tk floats per thread. */
    static final int QB = 64;
    /** Up to this many queries (decoding) the row-by-row path is used. */
    static final int ROWS_MAX = 4;

    /**
     * out [B, Tq, C] = softmax(q·kᵀ/√hd + causal mask) (with dropout p, seeded) · v; writes lse [B, H, Tq]
     * (null to skip, in inference).
     */
    public static void forward(float[] q, float[] k, float[] v, float[] out, float[] lse, Dims d,
                               float dropP, long seed) {
        if (d.tq() <= ROWS_MAX || !VectorSupport.ENABLED) forwardRows(q, k, v, out, lse, d, dropP, seed);
        else forwardBlocks(q, k, v, out, lse, d, dropP, seed);
    }

    /** The row-by-row forward: per query, a dot product per visible key, then the weighted sum of values. */
    static void forwardRows(float[] q, float[] k, float[] v, float[] out, float[] lse, Dims d,
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
                    int n = i + tk - tq + 1; // keys this query sees
                    // One dot product per key, read in place: a decode step sees each key once, so copying the
                    // head's keys into a transposed scratch first would cost more than it saves.
                    for (int j = 0; j < n; j++) scores[j] = scale * Elementwise.dot(q, qOff, k, kBase + j * c, hd);
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
        if (d.tq() <= ROWS_MAX || !VectorSupport.ENABLED) backwardRows(q, k, v, out, lse, dout, dq, dk, dv, d, dropP, seed);
        else backwardBlocks(q, k, v, out, lse, dout, dq, dk, dv, d, dropP, seed);
    }

    /** The forward in blocks of QB queries, each block's three steps packed matrix products or row loops. */
    private static void forwardBlocks(float[] q, float[] k, float[] v, float[] out, float[] lse, Dims d,
                                      float dropP, long seed) {
        int hd = d.headDim(), c = d.channels(), heads = d.heads(), tq = d.tq(), tk = d.tk();
        float scale = (float) (1.0 / Math.sqrt(hd));
        Elementwise.forRows(d.batch() * heads, (long) tq * tk * hd, (p0, p1) -> {
            float[] s = new float[QB * tk], factors = dropP > 0f ? new float[tk] : null;
            for (int pair = p0; pair < p1; pair++) {
                int b = pair / heads, h = pair % heads;
                int qBase = b * tq * c + h * hd, kBase = b * tk * c + h * hd;
                for (int i0 = 0; i0 < tq; i0 += QB) {
                    int rows = Math.min(QB, tq - i0), keys = i0 + rows + tk - tq; // keys the block's last row sees
                    // s [rows, keys] = q_blk · k[0..keys]ᵀ   (k viewed transposed through its strides)
                    Gemm.multiply(q, qBase + i0 * c, c, 1, k, kBase, 1, c, null, false, s, 0, keys, rows, keys, hd);
                    for (int r = 0; r < rows; r++) {
                        int i = i0 + r;
                        float rowLse = softmaxRow(s, r * keys, i + tk - tq + 1, keys, scale);
                        if (lse != null) lse[pair * tq + i] = rowLse;
                        if (dropP > 0f) {
                            dropRow(s, r * keys, i + tk - tq + 1, dropP, seed, ((long) pair * tq + i) * tk, factors);
                        }
                    }
                    // out_blk [rows, hd] = s · v[0..keys]
                    Gemm.multiply(s, 0, keys, 1, v, kBase, c, 1, null, false, out, qBase + i0 * c, c, rows, hd, keys);
                }
            }
        });
    }

    /**
     * The backward in blocks of QB queries: per block, P is recomputed from the scores and lse, and
     * dv += Aᵀ·dO, dA = dO·vᵀ, dS = P ⊙ (mask ⊙ dA − D)/√hd, dq += dS·k, dk += dSᵀ·q are packed products.
     */
    private static void backwardBlocks(float[] q, float[] k, float[] v, float[] out, float[] lse, float[] dout,
                                       float[] dq, float[] dk, float[] dv, Dims d, float dropP, long seed) {
        int hd = d.headDim(), c = d.channels(), heads = d.heads(), tq = d.tq(), tk = d.tk();
        float scale = (float) (1.0 / Math.sqrt(hd));
        float keepScale = dropP > 0f ? 1f / (1f - dropP) : 1f;
        Elementwise.forRows(d.batch() * heads, 2L * tq * tk * hd, (p0, p1) -> {
            float[] p = new float[QB * tk], ds = new float[QB * tk], a = dropP > 0f ? new float[QB * tk] : p;
            float[] factors = dropP > 0f ? new float[tk] : null;
            for (int pair = p0; pair < p1; pair++) {
                int b = pair / heads, h = pair % heads;
                int qBase = b * tq * c + h * hd, kBase = b * tk * c + h * hd;
                for (int i0 = 0; i0 < tq; i0 += QB) {
                    int rows = Math.min(QB, tq - i0), keys = i0 + rows + tk - tq;
                    int qAt = qBase + i0 * c;
                    Gemm.multiply(q, qAt, c, 1, k, kBase, 1, c, null, false, p, 0, keys, rows, keys, hd);
                    for (int r = 0; r < rows; r++) { // p = exp(s/√hd − lse) on visible keys, 0 beyond; a = p ⊙ mask
                        int i = i0 + r, seen = i + tk - tq + 1, at = r * keys;
                        float rowLse = lse[pair * tq + i];
                        Elementwise.scale(scale, p, at, p, at, seen);
                        Elementwise.expShifted(p, at, rowLse, p, at, seen);
                        Arrays.fill(p, at + seen, at + keys, 0f);
                        if (dropP > 0f) {
                            System.arraycopy(p, at, a, at, keys);
                            dropRow(a, at, seen, dropP, seed, ((long) pair * tq + i) * tk, factors);
                        }
                    }
                    // dv[0..keys] += aᵀ · dO_blk   (a viewed transposed)
                    if (dv != null) Gemm.multiply(a, 0, 1, keys, dout, qAt, c, 1, null, true, dv, kBase, c, keys, hd, rows);
                    if (dq == null && dk == null) continue;
                    // ds [rows, keys] = dO_blk · v[0..keys]ᵀ, then dS in place
                    Gemm.multiply(dout, qAt, c, 1, v, kBase, 1, c, null, false, ds, 0, keys, rows, keys, hd);
                    for (int r = 0; r < rows; r++) {
                        int i = i0 + r, at = r * keys, qOff = qAt + r * c;
                        float dSum = Elementwise.dot(dout, qOff, out, qOff, hd);
                        if (dropP > 0f) {
                            DropoutKernel.keepFactors(seed, ((long) pair * tq + i) * tk, dropP, keepScale, factors, 0, keys);
                        }
                        scoreGrads(p, ds, at, factors, dSum, scale, keys);
                    }
                    // dq_blk += dS · k[0..keys];  dk[0..keys] += dSᵀ · q_blk
                    if (dq != null) Gemm.multiply(ds, 0, keys, 1, k, kBase, c, 1, null, true, dq, qAt, c, rows, hd, keys);
                    if (dk != null) Gemm.multiply(ds, 0, 1, keys, q, qAt, c, 1, null, true, dk, kBase, c, keys, hd, rows);
                }
            }
        });
    }

    /**
     * Turns the raw scores s[at .. at+keys) into softmax weights over the first {@code seen} (scaled by
     * {@code scale}), zero beyond; returns the row's log-sum-exp of the scaled scores.
     */
    private static float softmaxRow(float[] s, int at, int seen, int keys, float scale) {
        Elementwise.scale(scale, s, at, s, at, seen);
        float max = Elementwise.max(s, at, seen);
        float sum = Elementwise.expShifted(s, at, max, s, at, seen);
        Elementwise.scale(1f / sum, s, at, s, at, seen);
        Arrays.fill(s, at + seen, at + keys, 0f);
        return max + (float) Math.log(sum);
    }

    /**
     * Inverted dropout on the first {@code seen} weights of a row; counter0 + j is weight j's dropout counter.
     * {@code factors} is a scratch of at least {@code seen} floats.
     */
    private static void dropRow(float[] s, int at, int seen, float dropP, long seed, long counter0, float[] factors) {
        DropoutKernel.keepFactors(seed, counter0, dropP, 1f / (1f - dropP), factors, 0, seen);
        Elementwise.mul(s, at, factors, 0, s, at, seen);
    }

    /**
     * dS = P ⊙ (dA ⊙ factors − D) · scale in place over a row of {@code keys}: ds[at + j] holds dA on entry;
     * {@code factors} are the row's dropout factors (null without dropout).
     */
    private static void scoreGrads(float[] p, float[] ds, int at, float[] factors, float dSum, float scale, int keys) {
        FloatVector d = FloatVector.broadcast(F, dSum);
        int j = 0;
        for (int u = Elementwise.vectorEnd(keys); j < u; j += L) {
            FloatVector da = FloatVector.fromArray(F, ds, at + j);
            if (factors != null) da = da.mul(FloatVector.fromArray(F, factors, j));
            FloatVector.fromArray(F, p, at + j).mul(da.sub(d)).mul(scale).intoArray(ds, at + j);
        }
        for (; j < keys; j++) {
            float da = factors != null ? ds[at + j] * factors[j] : ds[at + j];
            ds[at + j] = p[at + j] * (da - dSum) * scale;
        }
    }

    /** The row-by-row backward (few queries): per (query, key), the dot products and updates of the formulas. */
    static void backwardRows(float[] q, float[] k, float[] v, float[] out, float[] lse, float[] dout,
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
