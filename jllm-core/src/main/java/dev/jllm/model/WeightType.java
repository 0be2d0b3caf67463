package dev.jllm.model;

import dev.jllm.kernels.quant.GgmlType;

/** How the decoder holds the weights it streams for each token. */
public enum WeightType {
    /** The model's own float32 arrays. */
    FP32(GgmlType.F32),
    /** bfloat16 copies (half the bytes per token), widened to float32 in the matrix-vector loop. */
    BF16(GgmlType.BF16),
    /** ggml Q8_0 blocks (8-bit values, an fp16 scale per 32): 34 bytes per 32 weights. */
    Q8_0(GgmlType.Q8_0),
    /** ggml Q4_0 blocks (4-bit values, an fp16 scale per 32): 18 bytes per 32 weights. */
    Q4_0(GgmlType.Q4_0),
    /** ggml Q4_K super-blocks (4-bit values, 6-bit scales and mins per 32): 144 bytes per 256 weights. */
    Q4_K(GgmlType.Q4_K);

    /** The ggml type the weights are held in. */
    public final GgmlType ggml;

    WeightType(GgmlType ggml) {
        this.ggml = ggml;
    }

    /** Whether the weights are quantized ({@link QuantizedWeights}) rather than float copies. */
    public boolean quantized() {
        return ggml.quantized();
    }

    /** Bytes of a matrix [rows, cols] in this type (rows that are not whole blocks fall back as in {@link QuantizedWeights#typeFor}). */
    public long bytes(int rows, int cols) {
        return rows * QuantizedWeights.typeFor(ggml, cols).bytes(cols);
    }
}
