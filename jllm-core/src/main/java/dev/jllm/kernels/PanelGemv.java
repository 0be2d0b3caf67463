package dev.jllm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Y[M,N] = X[M,K] · W[N,K]ᵀ (+ bias) for the rows of a decoding batch, with W {@link #pack packed} once into panels
 * of one vector's width of output rows ([N/V][K][V]): a vector of W then holds V outputs' weights at one k, and each
 * X value is broadcast against it, so the sums run lane-wise (no horizontal sum per output) and each weight vector
 * loaded serves four X rows, two panels at a time. The weights stream once per call for all rows; eight rows cost little more than one
 * (a row-by-row dot product costs about three times as much at eight rows). Every output is summed in the same order
 * (k ascending, one fused multiply-add at a time) whatever M, so a row's result does not depend on the batch.
 */
public final class PanelGemv {
    private PanelGemv() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** Pairs of panels a thread claims at a time. */
    private static final int PAIRS_PER_UNIT = 2;

    /** W [n, k] as panels [ceil(n/V)][k][V] (the rows past n zero). */
    public static float[] pack(float[] w, int wOff, int n, int k) {
        int panels = (n + V - 1) / V;
        float[] out = new float[panels * k * V];
        for (int j = 0; j < n; j++) {
            int at = (j / V) * k * V + j % V;
            for (int p = 0; p < k; p++) out[at + p * V] = w[wOff + j * k + p];
        }
        return out;
    }

    /** Y[m, n] = X[m, k] · Wᵀ (+ bias), W {@link #pack packed}. Overwrites Y. */
    public static void multiply(float[] panels, float[] x, int xOff, float[] bias, float[] y, int yOff, int m, int k,
                                int n) {
        FlopCounter.add(m, n, k);
        int count = (n + V - 1) / V, pairs = (count + 1) / 2;
        Parallel.forEachUnit((pairs + PAIRS_PER_UNIT - 1) / PAIRS_PER_UNIT, (u0, u1) -> {
            float[] out = new float[8 * V];
            for (int pair = u0 * PAIRS_PER_UNIT; pair < Math.min(pairs, u1 * PAIRS_PER_UNIT); pair++) {
                // the last pair of an odd count reads a second panel that does not exist: one panel twice instead
                int a0 = 2 * pair * k * V, a1 = 2 * pair + 1 < count ? a0 + k * V : a0;
                int j0 = 2 * pair * V, width = Math.min(2 * V, n - j0);
                int i = 0;
                if (VectorSupport.ENABLED) {
                    for (; i + 4 <= m; i += 4) {
                        fourRows(panels, a0, a1, x, xOff + i * k, k, out);
                        for (int r = 0; r < 4; r++) store(out, 2 * r * V, bias, y, yOff + (i + r) * n, j0, width);
                    }
                }
                for (; i < m; i++) {
                    oneRow(panels, a0, a1, x, xOff + i * k, k, out);
                    store(out, 0, bias, y, yOff + i * n, j0, width);
                }
            }
        });
    }

    /**
     * Two panels (at a0 and a1) times four X rows: out[r·2V + l] = Σ_p W[p][l] · x[r][p], the sums of each output
     * taken in order of p, one fused multiply-add at a time (eight independent accumulators).
     */
    private static void fourRows(float[] w, int a0, int a1, float[] x, int xAt, int k, float[] out) {
        FloatVector c0 = FloatVector.zero(S), d0 = c0, c1 = c0, d1 = c0, c2 = c0, d2 = c0, c3 = c0, d3 = c0;
        for (int p = 0; p < k; p++) {
            FloatVector u = FloatVector.fromArray(S, w, a0 + p * V), v = FloatVector.fromArray(S, w, a1 + p * V);
            FloatVector x0 = FloatVector.broadcast(S, x[xAt + p]), x1 = FloatVector.broadcast(S, x[xAt + k + p]);
            FloatVector x2 = FloatVector.broadcast(S, x[xAt + 2 * k + p]), x3 = FloatVector.broadcast(S, x[xAt + 3 * k + p]);
            c0 = u.fma(x0, c0);
            d0 = v.fma(x0, d0);
            c1 = u.fma(x1, c1);
            d1 = v.fma(x1, d1);
            c2 = u.fma(x2, c2);
            d2 = v.fma(x2, d2);
            c3 = u.fma(x3, c3);
            d3 = v.fma(x3, d3);
        }
        c0.intoArray(out, 0);
        d0.intoArray(out, V);
        c1.intoArray(out, 2 * V);
        d1.intoArray(out, 3 * V);
        c2.intoArray(out, 4 * V);
        d2.intoArray(out, 5 * V);
        c3.intoArray(out, 6 * V);
        d3.intoArray(out, 7 * V);
    }

    /** {@link #fourRows} for one row, with the same operations per output (scalar where there is no SIMD). */
    private static void oneRow(float[] w, int a0, int a1, float[] x, int xAt, int k, float[] out) {
        if (!VectorSupport.ENABLED) {
            for (int l = 0; l < 2 * V; l++) {
                int at = l < V ? a0 + l : a1 + l - V;
                float c = 0f;
                for (int p = 0; p < k; p++) c = Math.fma(w[at + p * V], x[xAt + p], c);
                out[l] = c;
            }
            return;
        }
        FloatVector c0 = FloatVector.zero(S), d0 = c0;
        for (int p = 0; p < k; p++) {
            FloatVector xp = FloatVector.broadcast(S, x[xAt + p]);
            c0 = FloatVector.fromArray(S, w, a0 + p * V).fma(xp, c0);
            d0 = FloatVector.fromArray(S, w, a1 + p * V).fma(xp, d0);
        }
        c0.intoArray(out, 0);
        d0.intoArray(out, V);
    }

    private static void store(float[] out, int from, float[] bias, float[] y, int yAt, int j0, int width) {
        for (int l = 0; l < width; l++) y[yAt + j0 + l] = bias == null ? out[from + l] : out[from + l] + bias[j0 + l];
    }
}
