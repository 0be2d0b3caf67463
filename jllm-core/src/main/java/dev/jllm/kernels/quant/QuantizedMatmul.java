package dev.jllm.kernels.quant;

import dev.jllm.kernels.Bf16;
import dev.jllm.kernels.MatMul;
import dev.jllm.kernels.Parallel;

/**
 * Products of several rows with a weight matrix in ggml blocks ({@link QuantizedMatrix}), which stays in its blocks:
 *
 * <ul>
 * <li>{@link #rows}: Y[M,N] = X[M,K] · Wᵀ for the few rows of a decoding batch. Each weight row is read from memory
 *     once for all M rows (it stays in L1 while they use it), and each row of Y gets exactly the arithmetic of
 *     {@link QuantizedGemv} alone, whatever M.</li>
 * <li>{@link #xwt}: the same product for many rows (a prompt's prefill, a perplexity window, a LoRA forward):
 *     a tile of W's rows at a time is dequantized into a small float32 buffer (exact, {@link Dequantize}) and
 *     multiplied by the packed matrix product ({@link MatMul#xwt}); the tile is reused, so memory stays at one tile.</li>
 * <li>{@link #dyw}: DX[M,K] += DY[M,N] · W, the input gradient through a frozen quantized Linear (LoRA over a
 *     quantized base), tile by tile the same way.</li>
 * </ul>
 */
public final class QuantizedMatmul {
    private QuantizedMatmul() {}

    /** Weight rows a thread claims at a time in {@link #rows}. */
    private static final int ROWS_PER_UNIT = 16;
    /**
     * Rows up to which {@link #xwt} multiplies row by row ({@link #rows}) instead of through dequantized tiles (a
     * decoding batch, a short prompt): a tile pass dequantizes every weight once, a row pass costs one block product
     * per weight and row. BENCHMARKS.md has prefill speeds on both sides of it.
     */
    public static final int ROW_WISE = 16;
    /** Floats of one dequantized tile (4 MiB: as many whole rows as fit, at least one). */
    private static final int TILE = 1 << 20;

    /** Y[M,N] = X[M,K] · Wᵀ (+ bias[N] when not null), W [N, K] in blocks: {@link #rows} for few rows, else tiles. */
    public static void xwt(float[] x, int xOff, QuantizedMatrix w, float[] bias, float[] y, int yOff, int m) {
        if (m <= ROW_WISE) {
            rows(x, xOff, w, bias, y, yOff, m);
            return;
        }
        int n = w.rows(), k = w.cols(), r = tileRows(w);
        float[] tile = new float[r * k], part = new float[m * r];
        for (int j0 = 0; j0 < n; j0 += r) {
            int rr = Math.min(r, n - j0);
            dequantize(w, j0, rr, tile);
            float[] b = bias == null ? null : java.util.Arrays.copyOfRange(bias, j0, j0 + rr);
            MatMul.xwt(x, xOff, tile, 0, b, part, 0, m, k, rr); // part [m, rr] = X · tileᵀ
            for (int i = 0; i < m; i++) System.arraycopy(part, i * rr, y, yOff + i * n + j0, rr);
        }
    }

    /** DX[M,K] += DY[M,N] · W[N,K], W in blocks, a tile of its rows at a time. */
    public static void dyw(float[] dy, int dyOff, QuantizedMatrix w, float[] dx, int dxOff, int m) {
        int n = w.rows(), k = w.cols(), r = tileRows(w);
        float[] tile = new float[r * k], part = new float[m * r];
        for (int j0 = 0; j0 < n; j0 += r) {
            int rr = Math.min(r, n - j0);
            dequantize(w, j0, rr, tile);
            for (int i = 0; i < m; i++) System.arraycopy(dy, dyOff + i * n + j0, part, i * rr, rr); // DY[:, j0 .. j0+rr)
            MatMul.dyw(part, 0, tile, 0, dx, dxOff, m, rr, k);
        }
    }

    /** Rows j0 .. j0 + rows of w into tile, the rows split over the threads. */
    private static void dequantize(QuantizedMatrix w, int j0, int rows, float[] tile) {
        int k = w.cols();
        Parallel.forRange(rows, (a, b) -> Dequantize.values(w.type(), w.data(), w.rowOffset(j0 + a), tile, a * k, (b - a) * k));
    }

    private static int tileRows(QuantizedMatrix w) {
        return Math.max(1, Math.min(w.rows(), TILE / Math.max(1, w.cols())));
    }

    /**
     * Y[M,N] = X[M,K] · Wᵀ (+ bias) row by row, each weight row streamed once for all M rows; row i of Y equals
     * {@link QuantizedGemv#multiply} of row i of X (plus the bias) exactly.
     */
    public static void rows(float[] x, int xOff, QuantizedMatrix w, float[] bias, float[] y, int yOff, int m) {
        Parallel.forEachUnit(rowUnits(x, xOff, w, bias, y, yOff, m));
    }

    /** The units of {@link #rows}, for a parallel loop shared with other products of the same input. */
    public static Parallel.Units rowUnits(float[] x, int xOff, QuantizedMatrix w, float[] bias, float[] y, int yOff, int m) {
        int k = w.cols(), n = w.rows();
        if (xOff + (long) m * k > x.length || yOff + (long) m * n > y.length) {
            throw new IllegalArgumentException("x or y too short for " + m + " rows through " + w.type() + " [" + n + ", " + k + "]");
        }
        if (m == 1 && bias == null) return QuantizedGemv.product(w, x, xOff, y, yOff);
        if (w.type() == GgmlType.BF16 && k % 2 == 0) return Bf16.product(w.data(), x, xOff, bias, y, yOff, m, k, n);
        float[][] sums = new float[m][];
        if (QuantizedGemv.needsBlockSums(w.type())) for (int i = 0; i < m; i++) sums[i] = QuantizedGemv.blockSums(x, xOff + i * k, k);
        long rowBytes = w.rowBytes();
        QuantizedGemv.RowKernel kernel = QuantizedGemv.kernel(w.type());
        int units = (n + ROWS_PER_UNIT - 1) / ROWS_PER_UNIT;
        return new Parallel.Units() {
            public int count() {
                return units;
            }

            public void run(int u) {
                int j1 = Math.min(n, (u + 1) * ROWS_PER_UNIT);
                for (int j = u * ROWS_PER_UNIT; j < j1; j++) {
                    for (int i = 0; i < m; i++) {
                        float v = kernel.dot(w.data(), j * rowBytes, x, xOff + i * k, k, sums[i]);
                        y[yOff + i * n + j] = bias == null ? v : v + bias[j];
                    }
                }
            }
        };
    }
}
