package dev.jllm.generate;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Picks the next token from logits: greedy (temperature 0), or sampled from softmax(logits / temperature)
 * restricted to the top-k tokens and to the top-p nucleus, as in the book's {@code generate}.
 */
public final class Sampler {
    private final float temperature;
    private final int topK;
    private final float topP;
    private final RandomGenerator rng;

    public Sampler(float temperature, int topK, float topP, RandomGenerator rng) {
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.rng = rng;
    }

    public int next(float[] logits) {
        if (temperature == 0f) return argmax(logits);
        double[] probs = softmax(logits, temperature, topKThreshold(logits));
        if (topP < 1f) keepNucleus(probs, topP);
        return draw(probs);
    }

    /** Index of the largest value (the first one on ties). */
    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    /** The k-th largest logit: smaller ones are masked out (ties with it are kept, as in the book). */
    private float topKThreshold(float[] logits) {
        if (topK == 0 || topK >= logits.length) return Float.NEGATIVE_INFINITY;
        float[] sorted = logits.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length - topK];
    }

    private static double[] softmax(float[] logits, float temperature, float threshold) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) if (l >= threshold) max = Math.max(max, l);
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] >= threshold) sum += p[i] = Math.exp((logits[i] - max) / temperature);
        }
        for (int i = 0; i < p.length; i++) p[i] /= sum;
        return p;
    }

    /** Zeroes every token outside the smallest most-likely set whose probability reaches {@code topP}. */
    private static void keepNucleus(double[] probs, float topP) {
        // Sort (probability, index) pairs packed in a long: positive float bits order like the floats themselves.
        long[] order = new long[probs.length];
        for (int i = 0; i < probs.length; i++) {
            order[i] = ((long) Float.floatToIntBits((float) probs[i]) << 32) | i;
        }
        Arrays.sort(order);
        double cumulative = 0;
        int k = order.length - 1;
        for (; k >= 0; k--) {
            cumulative += probs[(int) order[k]];
            if (cumulative >= topP) break;
        }
        for (int j = k - 1; j >= 0; j--) probs[(int) order[j]] = 0;
    }

    private int draw(double[] probs) {
        double total = 0;
        for (double p : probs) total += p;
        double r = rng.nextDouble() * total;
        int last = 0;
        for (int i = 0; i < probs.length; i++) {
            if (probs[i] == 0) continue;
            last = i;
            r -= probs[i];
            if (r < 0) return i;
        }
        return last; // rounding left r a hair above 0: the last possible token
    }
}
