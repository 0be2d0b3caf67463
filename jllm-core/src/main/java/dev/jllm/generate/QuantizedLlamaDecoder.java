package dev.jllm.generate;

import dev.jllm.io.gguf.GgufLlama;
import dev.jllm.kernels.Elementwise;
import dev.jllm.kernels.Parallel;
import dev.jllm.kernels.SiluKernel;
import dev.jllm.kernels.quant.QuantizedGemv;
import dev.jllm.kernels.quant.QuantizedMatrix;

/**
 * Decoding a Llama-family model ({@link GgufLlama}: Llama, Qwen3) straight from a GGUF file's quantized blocks, one
 * token at a time, with a key/value cache: RMSNorm, grouped-query attention with RoPE (adjacent pairs for llama.cpp's
 * permuted {@code llama} files, halves for {@code qwen3}; per-head q/k norms for Qwen3), SwiGLU. Every matrix product
 * is {@link QuantizedGemv} on the file's bytes (memory-mapped); only the vectors and the cache are float32.
 */
public final class QuantizedLlamaDecoder {
    private final GgufLlama m;
    private final int capacity, kvDim;
    /** [layer][position · kvDim]: each position's keys (after RoPE) and values, kv heads side by side. */
    private final float[][] keys, values;
    /** The rotation frequency of each pair, rope factors applied. */
    private final float[] invFreq;
    private final float[] x, h, q, k, v, att, gate, up, scores;
    private int length;

    public QuantizedLlamaDecoder(GgufLlama model, int capacity) {
        if (capacity < 1 || capacity > model.contextLength()) {
            throw new IllegalArgumentException("KV cache capacity " + capacity + " is outside 1 .. the context length " + model.contextLength());
        }
        this.m = model;
        this.capacity = capacity;
        this.kvDim = model.nKvHeads() * model.headDim();
        this.keys = new float[model.nLayers()][capacity * kvDim];
        this.values = new float[model.nLayers()][capacity * kvDim];
        int hd = model.headDim();
        this.invFreq = new float[hd / 2];
        for (int i = 0; i < hd / 2; i++) {
            double f = Math.pow(model.ropeTheta(), -2.0 * i / hd);
            invFreq[i] = (float) (model.ropeFactors() == null ? f : f / model.ropeFactors()[i]);
        }
        this.x = new float[model.embDim()];
        this.h = new float[model.embDim()];
        this.q = new float[model.nHeads() * hd];
        this.k = new float[kvDim];
        this.v = new float[kvDim];
        this.att = new float[model.nHeads() * hd];
        this.gate = new float[model.hiddenDim()];
        this.up = new float[model.hiddenDim()];
        this.scores = new float[model.nHeads() * capacity];
    }

    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    public void reset() {
        length = 0;
    }

    /** Runs {@code ids} at the next positions and returns the logits [vocab] after the last. */
    public float[] append(int... ids) {
        if (ids.length == 0) throw new IllegalArgumentException("no tokens to append");
        if (length + ids.length > capacity) {
            throw new IllegalStateException("KV cache full: " + length + " + " + ids.length + " positions exceed " + capacity);
        }
        for (int id : ids) {
            if (id < 0 || id >= m.vocabSize()) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (size " + m.vocabSize() + ")");
        }
        for (int id : ids) step(id);
        float[] logits = new float[m.vocabSize()];
        rmsNorm(x, m.outputNorm(), h, 0, m.embDim());
        QuantizedGemv.multiply(m.output(), h, 0, logits, 0);
        return logits;
    }

    /** One token at position {@code length}: x [emb] through every block, its keys and values cached. */
    private void step(int id) {
        int pos = length, hd = m.headDim();
        m.tokenEmbedding().row(id, x, 0);
        for (int l = 0; l < m.nLayers(); l++) {
            GgufLlama.Layer b = m.layers().get(l);
            rmsNorm(x, b.attnNorm(), h, 0, m.embDim());
            // products of one input in one parallel loop: one hand-off to the workers and one join, not three
            Parallel.forEachUnit(QuantizedGemv.product(b.wq(), h, 0, q, 0), QuantizedGemv.product(b.wk(), h, 0, k, 0),
                    QuantizedGemv.product(b.wv(), h, 0, v, 0));
            if (b.qNorm() != null) {
                for (int hh = 0; hh < m.nHeads(); hh++) rmsNorm(q, b.qNorm(), q, hh * hd, hd);
                for (int hh = 0; hh < m.nKvHeads(); hh++) rmsNorm(k, b.kNorm(), k, hh * hd, hd);
            }
            rope(q, m.nHeads(), pos);
            rope(k, m.nKvHeads(), pos);
            System.arraycopy(k, 0, keys[l], pos * kvDim, kvDim);
            System.arraycopy(v, 0, values[l], pos * kvDim, kvDim);
            attention(l, pos);
            gemv(b.wo(), att, h);
            Elementwise.accumulate(h, 0, x, 0, x.length);
            rmsNorm(x, b.ffnNorm(), h, 0, m.embDim());
            Parallel.forEachUnit(QuantizedGemv.product(b.gate(), h, 0, gate, 0), QuantizedGemv.product(b.up(), h, 0, up, 0));
            SiluKernel.forward(gate, gate, gate.length);
            Elementwise.mul(gate, 0, up, 0, gate, 0, gate.length);
            gemv(b.down(), gate, h);
            Elementwise.accumulate(h, 0, x, 0, x.length);
        }
        length = pos + 1;
    }

    private static void gemv(QuantizedMatrix w, float[] in, float[] out) {
        QuantizedGemv.multiply(w, in, 0, out, 0);
    }

    /** y[off ...] = x[off ...] / rms(x[off ... off+n)) · w, n values. */
    private void rmsNorm(float[] src, float[] w, float[] dst, int off, int n) {
        float ss = Elementwise.dot(src, off, src, off, n);
        float scale = (float) (1.0 / Math.sqrt(ss / n + m.rmsEps()));
        for (int i = 0; i < n; i++) dst[off + i] = src[off + i] * scale * w[i];
    }

    /** Rotates each head's pairs by position · frequency: pairs (2i, 2i+1) in permuted llama files, else (i, i+hd/2). */
    private void rope(float[] t, int heads, int pos) {
        int hd = m.headDim(), half = hd / 2;
        for (int i = 0; i < half; i++) {
            double angle = (double) pos * invFreq[i];
            float cos = (float) Math.cos(angle), sin = (float) Math.sin(angle);
            for (int hh = 0; hh < heads; hh++) {
                int a = hh * hd + (m.adjacentPairs() ? 2 * i : i), c = m.adjacentPairs() ? a + 1 : a + half;
                float x0 = t[a], x1 = t[c];
                t[a] = x0 * cos - x1 * sin;
                t[c] = x0 * sin + x1 * cos;
            }
        }
    }

    /** Each query head over the cached positions 0 … pos of its key/value head: att [heads · hd]. */
    private void attention(int layer, int pos) {
        int hd = m.headDim(), group = m.nHeads() / m.nKvHeads(), n = pos + 1;
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[] kc = keys[layer], vc = values[layer];
        Parallel.forRange(m.nHeads(), (h0, h1) -> {
            for (int hh = h0; hh < h1; hh++) {
                int kvOff = (hh / group) * hd, s = hh * capacity;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    scores[s + j] = Elementwise.dot(q, hh * hd, kc, j * kvDim + kvOff, hd) * scale;
                    max = Math.max(max, scores[s + j]);
                }
                float sum = 0f;
                for (int j = 0; j < n; j++) sum += scores[s + j] = (float) Math.exp(scores[s + j] - max);
                java.util.Arrays.fill(att, hh * hd, (hh + 1) * hd, 0f);
                for (int j = 0; j < n; j++) Elementwise.axpy(scores[s + j] / sum, vc, j * kvDim + kvOff, att, hh * hd, hd);
            }
        });
    }
}
