package dev.jllm.model;

import dev.jllm.kernels.AttentionKernel;
import dev.jllm.kernels.Bf16;
import dev.jllm.kernels.Elementwise;
import dev.jllm.kernels.GeluKernel;
import dev.jllm.kernels.LayerNormKernel;
import dev.jllm.kernels.MatMul;
import dev.jllm.nn.LayerNorm;
import dev.jllm.nn.Linear;
import dev.jllm.nn.TransformerBlock;
import dev.jllm.tensor.Tensor;

/**
 * GPT-2's {@link KVCacheDecoder}: the model's forward pass for decoding, on plain float arrays with a key/value
 * cache and no autograd.
 *
 * <p>Each layer keeps the keys and values of every position seen so far ([context, emb] each), so a new token
 * only computes its own query, key and value and attends over the cache: one matrix-vector product per weight
 * instead of a full forward pass. {@link #append} takes several tokens at once (the prompt's prefill runs as a
 * batch of matrix products) or one (a decode step). The weights are the model's own arrays, read in place, or
 * their {@link Bf16Weights} copies (then every product is matrix-vector, row by row).
 */
final class GptDecoder extends PositionedDecoder {
    private final GptModel model;
    private final int emb;
    private final int nHeads;
    /** [layer][capacity · emb], row p holds position p's key (or value), heads side by side. */
    private final float[][] keys;
    private final float[][] values;
    /** bfloat16 weights to stream instead of the model's float32 ones, or null. */
    private final Bf16Weights bf16;
    /** Quantized weights (ggml blocks) to stream instead, or null. */
    private final QuantizedWeights quant;

    /**
     * A decoder whose cache holds {@code capacity} positions (at most the context length): a generation that
     * knows its length allocates only what it will use (a 355M cache for the full context is 192 MiB). It streams
     * {@code bf16} copies of the weights, or {@code quant} (ggml blocks, by the quantized matrix-vector product), or
     * the model's float32 arrays when both are null.
     */
    GptDecoder(GptModel model, Bf16Weights bf16, QuantizedWeights quant, int capacity) {
        super(capacity, model.config.contextLength());
        GptConfig c = model.config;
        this.model = model;
        this.emb = c.embDim();
        this.nHeads = c.nHeads();
        this.keys = new float[c.nLayers()][capacity * emb];
        this.values = new float[c.nLayers()][capacity * emb];
        this.bf16 = bf16;
        this.quant = quant;
    }

    @Override
    public void crop(int length) {
        checkCrop(length);
        this.length = length;
    }

    @Override
    public float[] append(int... ids) {
        int n = ids.length, start = length;
        checkRoom(n);
        CausalLM.checkVocabulary(ids, model.config.vocabSize());
        float[] x = embed(ids, start); // [n, emb], the residual stream
        for (int l = 0; l < keys.length; l++) {
            TransformerBlock block = model.blocks.get(l);
            float[] qkv = linear(layerNorm(x, n, block.norm1), n, block.att.qkv); // [n, 3·emb]
            for (int i = 0; i < n; i++) {
                System.arraycopy(qkv, i * 3 * emb + emb, keys[l], (start + i) * emb, emb);
                System.arraycopy(qkv, i * 3 * emb + 2 * emb, values[l], (start + i) * emb, emb);
            }
            Elementwise.accumulate(linear(attention(qkv, n, start, l), n, block.att.outProj), 0, x, 0, x.length);
            float[] hidden = linear(layerNorm(x, n, block.norm2), n, block.ff.fc1); // [n, 4·emb]
            GeluKernel.forward(hidden, hidden, hidden.length);
            Elementwise.accumulate(linear(hidden, n, block.ff.fc2), 0, x, 0, x.length);
        }
        length = start + n;
        float[] last = new float[emb];
        System.arraycopy(x, (n - 1) * emb, last, 0, emb);
        float[] h = layerNorm(last, 1, model.finalNorm);
        return linear(h, 1, model.headWeight(), null);
    }

    /** Token embedding plus the embedding of position start+i, for each token i. */
    private float[] embed(int[] ids, int start) {
        float[] tok = model.tokEmb.weight.data(), pos = model.posEmb.weight.data();
        float[] x = new float[ids.length * emb];
        for (int i = 0; i < ids.length; i++) {
            for (int j = 0; j < emb; j++) x[i * emb + j] = tok[ids[i] * emb + j] + pos[(start + i) * emb + j];
        }
        return x;
    }

    /**
     * Causal attention of the n new queries over the cache: query i sits at position start+i and sees positions
     * 0 … start+i. Returns the heads' outputs side by side, [n, emb].
     */
    private float[] attention(float[] qkv, int n, int start, int layer) {
        float[] q = new float[n * emb];
        for (int i = 0; i < n; i++) System.arraycopy(qkv, i * 3 * emb, q, i * emb, emb);
        float[] out = new float[n * emb];
        AttentionKernel.forward(q, keys[layer], values[layer], out, null,
                new AttentionKernel.Dims(1, n, start + n, emb, nHeads), 0f, 0L);
        return out;
    }

    /** x [n, in] → [n, out] with the layer's weight [out, in] and bias. */
    private float[] linear(float[] x, int n, Linear layer) {
        return linear(x, n, layer.weight, layer.bias);
    }

    /** x [n, in] → [n, out] = x · weightᵀ (+ bias); weight [out, in], bias [out] or null. */
    private float[] linear(float[] x, int n, Tensor weight, Tensor bias) {
        int out = weight.dim(0), in = weight.dim(1);
        float[] y = new float[n * out];
        float[] b = bias == null ? null : bias.data();
        if (quant != null) {
            for (int i = 0; i < n; i++) {
                quant.multiply(weight, x, i * in, y, i * out);
                if (b != null) for (int j = 0; j < out; j++) y[i * out + j] += b[j];
            }
        } else if (bf16 != null) {
            Bf16.xwt(x, 0, bf16.of(weight), b, y, 0, n, in, out);
        } else if (n == 1) {
            MatMul.gemv(weight.data(), 0, x, 0, b, y, 0, out, in);
        } else {
            MatMul.xwt(x, 0, weight.data(), 0, b, y, 0, n, in, out);
        }
        return y;
    }

    /** Each row of x [n, emb] normalised (biased variance), scaled and shifted. */
    private float[] layerNorm(float[] x, int n, LayerNorm norm) {
        float[] y = new float[n * emb];
        LayerNormKernel.forward(x, norm.scale.data(), norm.shift.data(), LayerNorm.EPS, y, null, null, n, emb);
        return y;
    }
}
