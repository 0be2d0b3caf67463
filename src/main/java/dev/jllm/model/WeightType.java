package dev.jllm.model;





/** How the decoder holds the weights it streams for each token. */
public enum WeightType {
    /** The model's own float32 arrays. */
    FP32(4),
    /** bfloat16 copies (half the bytes per token), widened to float32 in the matrix-vector loop. */
    BF16(2);

    /** Bytes per weight. */
    public final int bytes;

    WeightType(int bytes) {
        this.bytes = bytes;
    }
}
