package dev.jllm.nn;

import dev.jllm.kernels.RopeKernel;
import dev.jllm.model.DecoderConfig.Rope;
import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;

/**
 * Rotary position embedding: the angle tables cos and sin [positions, headDim/2] of a rope's frequencies, grown
 * on demand, and their application to queries and keys (dimension i paired with i + headDim/2, as in
 * Hugging Face's checkpoints). Angles are computed as transformers computes them: position · frequency rounded to
 * float32, then its cosine and sine.
 */
public final class RotaryEmbedding {
    private final int half;
    private final float[] invFreq;
    private float[] cos = new float[0];
    private float[] sin = new float[0];

    public RotaryEmbedding(int headDim, Rope rope) {
        this.half = headDim / 2;
        this.invFreq = inverseFrequencies(headDim, rope);
    }

    /**
     * θᵢ = theta^(−2i/headDim) for i &lt; headDim/2, then scaled: "linear" divides all by the factor; "llama3"
     * divides those whose wavelength 2π/θᵢ exceeds original/low_freq_factor by the factor, keeps those below
     * original/high_freq_factor, and interpolates smoothly between.
     */
    public static float[] inverseFrequencies(int headDim, Rope rope) {
        int half = headDim / 2;
        float[] out = new float[half];
        for (int i = 0; i < half; i++) {
            double f = 1.0 / Math.pow(rope.theta(), (double) (float) (2.0 * i / headDim));
            out[i] = (float) switch (rope.type()) {
                case "linear" -> f / rope.factor();
                case "llama3" -> llama3(f, rope);
                default -> f;
            };
        }
        return out;
    }

    private static double llama3(double f, Rope r) {
        double lowWavelen = r.originalMaxPositions() / r.lowFreqFactor();
        double highWavelen = r.originalMaxPositions() / r.highFreqFactor();
        double wavelen = 2 * Math.PI / f;
        if (wavelen < highWavelen) return f;
        if (wavelen > lowWavelen) return f / r.factor();
        double smooth = (r.originalMaxPositions() / wavelen - r.lowFreqFactor()) / (r.highFreqFactor() - r.lowFreqFactor());
        return (1 - smooth) * f / r.factor() + smooth * f;
    }

    /** Makes the tables cover positions 0 .. n−1. */
    public synchronized void ensure(int n) {
        if (cos.length >= n * half) return;
        int positions = Math.max(n, 2 * cos.length / Math.max(half, 1));
        float[] c = new float[positions * half], s = new float[positions * half];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * invFreq[i];
                c[p * half + i] = (float) Math.cos(angle);
                s[p * half + i] = (float) Math.sin(angle);
            }
        }
        sin = s;
        cos = c;
    }

    /** x [B, T, heads·headDim], row t at position start + t → rotated, differentiably. */
    public Tensor forward(Tensor x, int heads, int start) {
        ensure(start + x.dim(1));
        float[] c, s;
        synchronized (this) {
            c = cos;
            s = sin;
        }
        return Ops.rope(x, heads, c, s, start);
    }

    /** Rotates x [n, heads·headDim] in place, row i at position start + i (decoding: no autograd). */
    public void rotate(float[] x, int n, int heads, int start) {
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) positions[i] = start + i;
        rotate(x, n, heads, positions);
    }

    /** Rotates x [n, heads·headDim] in place, row i at position {@code positions[i]} (rows of a decoding batch). */
    public void rotate(float[] x, int n, int heads, int[] positions) {
        int last = 0;
        for (int i = 0; i < n; i++) last = Math.max(last, positions[i]);
        ensure(last + 1);
        float[] c, s;
        synchronized (this) {
            c = cos;
            s = sin;
        }
        RopeKernel.rotate(x, x, positions, n, heads, 2 * half, c, s, false);
    }
}
