package dev.jllm.tensor;

/**
 * How a causal attention call groups and scales its heads.
 *
 * @param heads    query heads; q is [B, T, heads·headDim]
 * @param kvHeads  key/value heads, dividing {@code heads} (grouped-query attention; equal to heads for
 *                 multi-head attention); k and v are [B, T, kvHeads·headDim]
 * @param headDim  size of one head
 * @param scale    factor on the scores q·k (1/√headDim, or Gemma 3's query_pre_attn_scalar^-½)
 * @param window   sliding window: query i sees keys j with 0 ≤ i − j &lt; window; 0 for plain causal attention
 */
public record AttentionSpec(int heads, int kvHeads, int headDim, float scale, int window) {
    public AttentionSpec {
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0 || headDim <= 0 || window < 0) {
            throw new IllegalArgumentException("bad attention settings: " + heads + " heads, " + kvHeads
                    + " key/value heads, head size " + headDim + ", window " + window);
        }
    }

    /** Grouped-query attention scaled by 1/√headDim, without a window. */
    public static AttentionSpec of(int heads, int kvHeads, int headDim) {
        return new AttentionSpec(heads, kvHeads, headDim, (float) (1.0 / Math.sqrt(headDim)), 0);
    }
}
