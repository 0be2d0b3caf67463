package dev.jllm.model;

import dev.jllm.kernels.quant.GgmlType;
import dev.jllm.kernels.quant.Quantize;
import dev.jllm.kernels.quant.QuantizedGemv;
import dev.jllm.kernels.quant.QuantizedMatrix;
import dev.jllm.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The matrices a decode step streams, held in ggml blocks ({@link QuantizedMatrix}): quantized from the model's
 * float32 weights on load ({@code --dtype q8_0}), or read in place from a GGUF file. The decoder multiplies with
 * them through {@link QuantizedGemv}, which reads the blocks directly; the small vectors and the embeddings stay
 * float32.
 */
public final class QuantizedWeights {
    private final Map<Tensor, QuantizedMatrix> matrices = new IdentityHashMap<>();

    /** Each of {@code weights} ([out, in], float32) quantized as {@code type}, or as {@link #typeFor} falls back. */
    public static QuantizedWeights quantize(List<Tensor> weights, GgmlType type) {
        QuantizedWeights q = new QuantizedWeights();
        for (Tensor w : weights) {
            if (q.matrices.containsKey(w)) continue;
            int rows = w.dim(0), cols = w.dim(1);
            q.put(w, Quantize.matrix(w.toFloat32().data(), rows, cols, typeFor(type, cols)));
        }
        return q;
    }

    /**
     * The type a row of {@code cols} values is stored in when {@code wanted} is asked for: {@code wanted} when the
     * row is whole blocks of it; else Q8_0 for a K-quant (rows not a multiple of 256, as llama.cpp falls back to a
     * 32-block type); else F32.
     */
    public static GgmlType typeFor(GgmlType wanted, int cols) {
        if (wanted.fits(cols)) return wanted;
        if (wanted.blockSize == 256 && GgmlType.Q8_0.fits(cols)) return GgmlType.Q8_0;
        return GgmlType.F32;
    }

    /** Decodes with {@code m} in place of the float32 {@code weight} [out, in]. */
    public QuantizedWeights put(Tensor weight, QuantizedMatrix m) {
        if (weight.dim(0) != m.rows() || weight.dim(1) != m.cols()) {
            throw new IllegalArgumentException("a " + m.type() + " matrix [" + m.rows() + ", " + m.cols() + "] cannot stand for weight "
                    + weight.shapeString());
        }
        matrices.put(weight, m);
        return this;
    }

    /** Whether {@code weight} has a quantized form here. */
    public boolean contains(Tensor weight) {
        return matrices.containsKey(weight);
    }

    /** The quantized form of {@code weight}. */
    public QuantizedMatrix of(Tensor weight) {
        QuantizedMatrix m = matrices.get(weight);
        if (m == null) throw new IllegalArgumentException("no quantized copy of weight " + weight.shapeString());
        return m;
    }

    /** y[yOff ...] = weight · x[xOff ...], from the quantized copy. */
    public void multiply(Tensor weight, float[] x, int xOff, float[] y, int yOff) {
        QuantizedGemv.multiply(of(weight), x, xOff, y, yOff);
    }

    /** Bytes one decode step streams: every matrix once. */
    public long bytesPerToken() {
        long n = 0;
        for (QuantizedMatrix m : matrices.values()) n += m.byteSize();
        return n;
    }
}
