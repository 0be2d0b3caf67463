package dev.jllm.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal scaled dot-product attention over heads packed side by side in the channel dimension, fused so that
 * no T×T matrix is kept: forward keeps one log-sum-exp per query row, backward recomputes the attention
 * weights from it (the memory plan of FlashAttention).
 *
 * <p>Layout: q [B, Tq, H·hd], k and v [B, Tk, Hkv·hd]; query head h owns columns h·hd .. (h+1)·hd and reads
 * key/value head h / (H / Hkv) (grouped-query attention; Hkv = H is GPT-2's multi-head attention). Query i
 * sits at position i + (Tk − Tq) and sees keys 0 .. that position (only the last {@code window} of them with a
 * sliding window), so Tq = Tk is ordinary causal attention and Tq &lt; Tk is decoding against a cache of earlier
 * keys (k and v may be longer buffers; only Tk rows are read). The forward splits work over (batch, query head)
 * pairs, the backward over (batch, key/value head) pairs, so that each unit owns its columns of the outputs and
 * gradients: no shared writes.
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

    /**
     * Shapes and settings of one attention call.
     *
     * @param heads   query heads; q and the output are [B, Tq, heads·headDim]
     * @param kvHeads key/value heads (grouped-query attention: query head h reads key/value head
     *                h / (heads / kvHeads)); k and v are [B, Tk, kvHeads·headDim]
     * @param scale   factor on q·k (1/√headDim in GPT-2 and Llama, query_pre_attn_scalar^-½ in Gemma 3)
     * @param window  sliding window: query at position p sees keys j with 0 ≤ p − j &lt; window; 0 for none
     */
    public record Dims(int batch, int tq, int tk, int heads, int kvHeads, int headDim, float scale, int window) {
        public Dims {
            if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
                throw new IllegalArgumentException("attention: " + heads + " query heads do not split into groups of "
                        + kvHeads + " key/value heads");
            }
            if (headDim <= 0) throw new IllegalArgumentException("attention: head size " + headDim + " is not positive");
            if (window < 0) throw new IllegalArgumentException("attention: negative window " + window);
            if (tq > tk) throw new IllegalArgumentException("attention: " + tq + " queries but only " + tk + " keys");
        }

        /** GPT-2's attention: every head its own keys, scale 1/√(C/heads), no window. */
        public Dims(int batch, int tq, int tk, int channels, int heads) {
            this(batch, tq, tk, heads, heads, checkedHeadDim(channels, heads),
                    (float) (1.0 / Math.sqrt(checkedHeadDim(channels, heads))), 0);
        }

        private static int checkedHeadDim(int channels, int heads) {
            if (heads <= 0 || channels % heads != 0) {
                throw new IllegalArgumentException("attention: " + channels + " channels do not split into " + heads + " heads");
            }
            return channels / heads;
        }

        /** Width of a query (and output) row: heads·headDim. */
        public int channels() {
            return heads * headDim;
        }

        /** Width of a key (and value) row: kvHeads·headDim. */
        public int kvChannels() {
            return kvHeads * headDim;
        }

        /** Query heads per key/value head. */
        public int group() {
            return heads / kvHeads;
        }

        /** The first key query i (of Tq) sees. */
        int firstKey(int i) {
            int p = i + tk - tq;
            return window > 0 ? Math.max(0, p - window + 1) : 0;
        }
    }

    /** Queries per block of the blocked path: the scores scratch is QB·Tk floats per thread. */
    static final int QB = 64;
    /** Up to this many queries (decoding) the row-by-row path is used. */
    static final int ROWS_MAX = 4;

    /**
     * out [B, Tq, H·hd] = softmax(scale·q·kᵀ + causal mask) (with dropout p, seeded) · v; writes lse [B, H, Tq]
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
        int hd = d.headDim(), c = d.channels(), ckv = d.kvChannels(), heads = d.heads(), group = d.group();
        int tq = d.tq(), tk = d.tk();
        float scale = d.scale();
        float keepScale = dropP > 0f ? 1f / (1f - dropP) : 1f;
        Elementwise.forRows(d.batch() * heads, (long) tq * tk * hd, (p0, p1) -> {
            float[] scores = new float[tk];
            for (int pair = p0; pair < p1; pair++) {
                int b = pair / heads, h = pair % heads;
                int kBase = b * tk * ckv + (h / group) * hd;
                for (int i = 0; i < tq; i++) {
                    int qOff = (b * tq + i) * c + h * hd;
                    int lo = d.firstKey(i), n = i + tk - tq + 1; // keys lo .. n-1 are visible
                    // One dot product per key, read in place: a decode step sees each key once, so copying the
                    // head's keys into a transposed scratch first would cost more than it saves.
                    for (int j = lo; j < n; j++) scores[j] = scale * Elementwise.dot(q, qOff, k, kBase + j * ckv, hd);
                    float max = Elementwise.max(scores, lo, n - lo);
                    float sum = Elementwise.expShifted(scores, lo, max, scores, lo, n - lo);
                    if (lse != null) lse[pair * tq + i] = max + (float) Math.log(sum);
                    float inv = 1f / sum;
                    Arrays.fill(out, qOff, qOff + hd, 0f);
                    long row = ((long) pair * tq + i) * tk;
                    for (int j = lo; j < n; j++) {
                        float p = scores[j] * inv;
                        if (dropP > 0f) p = DropoutKernel.kept(seed, row + j, dropP) ? p * keepScale : 0f;
                        if (p != 0f) Elementwise.axpy(p, v, kBase + j * ckv, out, qOff, hd);
                    }
                }
            }
        });
    }

    /**
     * Given the forward's inputs, its output and lse, and dout [B, Tq, C], adds into dq, dk, dv (each may be
     * null when that input needs no gradient). With P the attention weights, A = P ⊙ dropout mask, and
     * Dᵢ = Σⱼ Aᵢⱼ·(dOᵢ·vⱼ) = dOᵢ·Oᵢ: dv += Aᵀ·dO, dS = P ⊙ (mask ⊙ (dO·vᵀ) − D)·scale, dq += dS·k, dk += dSᵀ·q.
     */
    public static void backward(float[] q, float[] k, float[] v, float[] out, float[] lse, float[] dout,
                                float[] dq, float[] dk, float[] dv, Dims d, float dropP, long seed) {
        if (d.tq() <= ROWS_MAX || !VectorSupport.ENABLED) backwardRows(q, k, v, out, lse, dout, dq, dk, dv, d, dropP, seed);
        else backwardBlocks(q, k, v, out, lse, dout, dq, dk, dv, d, dropP, seed);
    }

    /**
     * The forward in blocks of QB queries, each block's three steps packed matrix products or row loops. A block
     * computes scores only for the keys its rows can see: from its first row's first key (the window) to its
     * last row's position.
     */
    private static void forwardBlocks(float[] q, float[] k, float[] v, float[] out, float[] lse, Dims d,
                                      float dropP, long seed) {
        int hd = d.headDim(), c = d.channels(), ckv = d.kvChannels(), heads = d.heads(), group = d.group();
        int tq = d.tq(), tk = d.tk();
        float scale = d.scale();
        Elementwise.forRows(d.batch() * heads, (long) tq * tk * hd, (p0, p1) -> {
            float[] s = new float[QB * tk], factors = dropP > 0f ? new float[tk] : null;
            for (int pair = p0; pair < p1; pair++) {
                int b = pair / heads, h = pair % heads;
                int qBase = b * tq * c + h * hd, kBase = b * tk * ckv + (h / group) * hd;
                for (int i0 = 0; i0 < tq; i0 += QB) {
                    int rows = Math.min(QB, tq - i0), keys = i0 + rows + tk - tq; // keys the block's last row sees
                    int k0 = d.firstKey(i0), width = keys - k0, kAt = kBase + k0 * ckv;
                    // s [rows, width] = q_blk · k[k0..keys]ᵀ   (k viewed transposed through its strides)
                    Gemm.multiply(q, qBase + i0 * c, c, 1, k, kAt, 1, ckv, null, false, s, 0, width, rows, width, hd);
                    for (int r = 0; r < rows; r++) {
                        int i = i0 + r, lo = d.firstKey(i) - k0, hi = i + tk - tq + 1 - k0;
                        float rowLse = softmaxRow(s, r * width, lo, hi, width, scale);
                        if (lse != null) lse[pair * tq + i] = rowLse;
                        if (dropP > 0f) {
                            dropRow(s, r * width + lo, hi - lo, dropP, seed, ((long) pair * tq + i) * tk + k0 + lo, factors);
                        }
                    }
                    // out_blk [rows, hd] = s · v[k0..keys]
                    Gemm.multiply(s, 0, width, 1, v, kAt, ckv, 1, null, false, out, qBase + i0 * c, c, rows, hd, width);
                }
            }
        });
    }

    /**
     * The backward in blocks of QB queries: per block, P is recomputed from the scores and lse, and
     * dv += Aᵀ·dO, dA = dO·vᵀ, dS = P ⊙ (mask ⊙ dA − D)·scale, dq += dS·k, dk += dSᵀ·q are packed products.
     * Work is split over (batch, key/value head): the query heads of a group add into the same dk and dv, one
     * after the other.
     */
    private static void backwardBlocks(float[] q, float[] k, float[] v, float[] out, float[] lse, float[] dout,
                                       float[] dq, float[] dk, float[] dv, Dims d, float dropP, long seed) {
        int hd = d.headDim(), c = d.channels(), ckv = d.kvChannels(), heads = d.heads(), kvHeads = d.kvHeads();
        int group = d.group(), tq = d.tq(), tk = d.tk();
        float scale = d.scale();
        float keepScale = dropP > 0f ? 1f / (1f - dropP) : 1f;
        Elementwise.forRows(d.batch() * kvHeads, 2L * group * tq * tk * hd, (u0, u1) -> {
            float[] p = new float[QB * tk], ds = new float[QB * tk], a = dropP > 0f ? new float[QB * tk] : p;
            float[] factors = dropP > 0f ? new float[tk] : null;
            for (int unit = u0; unit < u1; unit++) {
                int b = unit / kvHeads, kvh = unit % kvHeads;
                int kBase = b * tk * ckv + kvh * hd;
                for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                    int pair = b * heads + h, qBase = b * tq * c + h * hd;
                    for (int i0 = 0; i0 < tq; i0 += QB) {
                        int rows = Math.min(QB, tq - i0), keys = i0 + rows + tk - tq;
                        int k0 = d.firstKey(i0), width = keys - k0, kAt = kBase + k0 * ckv;
                        int qAt = qBase + i0 * c;
                        Gemm.multiply(q, qAt, c, 1, k, kAt, 1, ckv, null, false, p, 0, width, rows, width, hd);
                        for (int r = 0; r < rows; r++) { // p = exp(s·scale − lse) on visible keys, 0 elsewhere
                            int i = i0 + r, lo = d.firstKey(i) - k0, hi = i + tk - tq + 1 - k0, at = r * width;
                            float rowLse = lse[pair * tq + i];
                            Elementwise.scale(scale, p, at + lo, p, at + lo, hi - lo);
                            Elementwise.expShifted(p, at + lo, rowLse, p, at + lo, hi - lo);
                            Arrays.fill(p, at, at + lo, 0f);
                            Arrays.fill(p, at + hi, at + width, 0f);
                            if (dropP > 0f) {
                                System.arraycopy(p, at, a, at, width);
                                dropRow(a, at + lo, hi - lo, dropP, seed, ((long) pair * tq + i) * tk + k0 + lo, factors);
                            }
                        }
                        // dv[k0..keys] += aᵀ · dO_blk   (a viewed transposed)
                        if (dv != null) Gemm.multiply(a, 0, 1, width, dout, qAt, c, 1, null, true, dv, kAt, ckv, width, hd, rows);
                        if (dq == null && dk == null) continue;
                        // ds [rows, width] = dO_blk · v[k0..keys]ᵀ, then dS in place
                        Gemm.multiply(dout, qAt, c, 1, v, kAt, 1, ckv, null, false, ds, 0, width, rows, width, hd);
                        for (int r = 0; r < rows; r++) {
                            int i = i0 + r, at = r * width, qOff = qAt + r * c;
                            float dSum = Elementwise.dot(dout, qOff, out, qOff, hd);
                            if (dropP > 0f) {
                                DropoutKernel.keepFactors(seed, ((long) pair * tq + i) * tk + k0, dropP, keepScale,
                                        factors, 0, width);
                            }
                            scoreGrads(p, ds, at, factors, dSum, scale, width);
                        }
                        // dq_blk += dS · k[k0..keys];  dk[k0..keys] += dSᵀ · q_blk
                        if (dq != null) Gemm.multiply(ds, 0, width, 1, k, kAt, ckv, 1, null, true, dq, qAt, c, rows, hd, width);
                        if (dk != null) Gemm.multiply(ds, 0, 1, width, q, qAt, c, 1, null, true, dk, kAt, ckv, width, hd, rows);
                    }
                }
            }
        });
    }

    /**
     * Turns the raw scores s[at .. at+width) into softmax weights over [lo, hi) (scaled by {@code scale}), zero
     * elsewhere; returns the row's log-sum-exp of the scaled scores.
     */
    private static float softmaxRow(float[] s, int at, int lo, int hi, int width, float scale) {
        int n = hi - lo;
        Elementwise.scale(scale, s, at + lo, s, at + lo, n);
        float max = Elementwise.max(s, at + lo, n);
        float sum = Elementwise.expShifted(s, at + lo, max, s, at + lo, n);
        Elementwise.scale(1f / sum, s, at + lo, s, at + lo, n);
        Arrays.fill(s, at, at + lo, 0f);
        Arrays.fill(s, at + hi, at + width, 0f);
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
     * dS = P ⊙ (dA ⊙ factors − D) · scale in place over a row of {@code keys} scores: ds[at + j] holds dA on entry;
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
        int hd = d.headDim(), c = d.channels(), ckv = d.kvChannels(), heads = d.heads(), kvHeads = d.kvHeads();
        int group = d.group(), tq = d.tq(), tk = d.tk();
        float scale = d.scale();
        float keepScale = dropP > 0f ? 1f / (1f - dropP) : 1f;
        Elementwise.forRows(d.batch() * kvHeads, 2L * group * tq * tk * hd, (u0, u1) -> {
            float[] kt = new float[hd * tk], vt = new float[hd * tk], p = new float[tk], dA = new float[tk];
            for (int unit = u0; unit < u1; unit++) {
                int b = unit / kvHeads, kvh = unit % kvHeads;
                int kBase = b * tk * ckv + kvh * hd;
                transposeHead(k, kBase, ckv, kt, hd, tk);
                transposeHead(v, kBase, ckv, vt, hd, tk);
                for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                    int pair = b * heads + h;
                    for (int i = 0; i < tq; i++) {
                        int qOff = (b * tq + i) * c + h * hd;
                        int lo = d.firstKey(i), n = i + tk - tq + 1;
                        // P row, recomputed from the saved log-sum-exp; dA = dOᵢ·vⱼ
                        scores(q, qOff, kt, hd, tk, n, scale, p);
                        Elementwise.expShifted(p, lo, lse[pair * tq + i], p, lo, n - lo);
                        scores(dout, qOff, vt, hd, tk, n, 1f, dA);
                        float dSum = Elementwise.dot(dout, qOff, out, qOff, hd);
                        long row = ((long) pair * tq + i) * tk;
                        for (int j = lo; j < n; j++) {
                            float z = dropP > 0f ? (DropoutKernel.kept(seed, row + j, dropP) ? keepScale : 0f) : 1f;
                            int kOff = kBase + j * ckv;
                            if (dv != null && z != 0f) Elementwise.axpy(p[j] * z, dout, qOff, dv, kOff, hd);
                            float ds = p[j] * (dA[j] * z - dSum) * scale;
                            if (dq != null) Elementwise.axpy(ds, k, kOff, dq, qOff, hd);
                            if (dk != null) Elementwise.axpy(ds, q, qOff, dk, kOff, hd);
                        }
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
