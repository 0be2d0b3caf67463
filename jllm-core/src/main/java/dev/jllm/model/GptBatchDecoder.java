package dev.jllm.model;

import dev.jllm.kernels.Elementwise;
import dev.jllm.kernels.GeluKernel;
import dev.jllm.kernels.LayerNormKernel;
import dev.jllm.kernels.PanelGemv;
import dev.jllm.kernels.Parallel;
import dev.jllm.nn.LayerNorm;
import dev.jllm.nn.Linear;
import dev.jllm.nn.TransformerBlock;
import dev.jllm.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * GPT-2's {@link BatchDecoder}: the forward pass of {@link GptDecoder} over the rows of a step at once, every
 * product {@link PanelGemv} (weights streamed once for all rows from a copy packed into panels when the decoder is
 * made; each row computed the same way whatever the other rows) and attention per row over its sequence's
 * {@link PagedKvCache} blocks.
 */
final class GptBatchDecoder extends BatchDecoder {
    private final GptModel model;
    /** Each streamed matrix packed into panels for the batch product, made once. */
    private final Map<Tensor, float[]> panels = new IdentityHashMap<>();
    private final int emb;
    private final int nHeads;

    GptBatchDecoder(GptModel model, PagedKvCache cache) {
        super(cache);
        GptConfig c = model.config;
        if (cache.kvDim() != c.embDim()) {
            throw new IllegalArgumentException("the KV pool is " + cache.kvDim() + " wide, the model " + c.embDim());
        }
        this.model = model;
        for (Tensor w : model.streamedMatrices()) panels.computeIfAbsent(w, t -> PanelGemv.pack(t.data(), 0, t.dim(0), t.dim(1)));
        this.emb = c.embDim();
        this.nHeads = c.nHeads();
    }

    @Override
    public float[] step(int[] ids, PagedKvCache.Sequence[] sequences, int[] positions, int rows, int[] logitRows,
                        int count) {
        lastPosition(positions, rows, model.config.contextLength());
        float[] x = embed(ids, positions, rows); // [rows, emb], the residual stream
        for (int l = 0; l < model.blocks.size(); l++) {
            TransformerBlock block = model.blocks.get(l);
            float[] qkv = linear(layerNorm(x, rows, block.norm1), rows, block.att.qkv); // [rows, 3·emb]
            for (int r = 0; r < rows; r++) {
                cache.write(sequences[r], l, positions[r], qkv, r * 3 * emb + emb, qkv, r * 3 * emb + 2 * emb);
            }
            float[] att = attention(qkv, sequences, positions, rows, l); // [rows, emb]
            Elementwise.accumulate(linear(att, rows, block.att.outProj), 0, x, 0, x.length);
            float[] hidden = linear(layerNorm(x, rows, block.norm2), rows, block.ff.fc1); // [rows, 4·emb]
            GeluKernel.forward(hidden, hidden, hidden.length);
            Elementwise.accumulate(linear(hidden, rows, block.ff.fc2), 0, x, 0, x.length);
        }
        float[] last = new float[count * emb]; // [count, emb]
        for (int i = 0; i < count; i++) System.arraycopy(x, logitRows[i] * emb, last, i * emb, emb);
        float[] h = layerNorm(last, count, model.finalNorm);
        return linear(h, count, model.headWeight(), null); // [count, vocab]
    }

    /** Token embedding plus the embedding of the row's position. */
    private float[] embed(int[] ids, int[] positions, int rows) {
        float[] tok = model.tokEmb.weight.data(), pos = model.posEmb.weight.data();
        int vocab = model.config.vocabSize();
        float[] x = new float[rows * emb];
        for (int r = 0; r < rows; r++) {
            if (ids[r] < 0 || ids[r] >= vocab) {
                throw new IllegalArgumentException("token id " + ids[r] + " is outside the vocabulary (size " + vocab + ")");
            }
            for (int j = 0; j < emb; j++) x[r * emb + j] = tok[ids[r] * emb + j] + pos[positions[r] * emb + j];
        }
        return x;
    }

    /** Each row's query (the first third of its qkv row) against its own sequence's cache: [rows, emb]. */
    private float[] attention(float[] qkv, PagedKvCache.Sequence[] sequences, int[] positions, int rows, int layer) {
        float[] out = new float[rows * emb];
        int headDim = emb / nHeads;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        Parallel.forRange(rows, (r0, r1) -> {
            float[] scores = new float[model.config.contextLength()];
            for (int r = r0; r < r1; r++) {
                cache.attend(sequences[r], layer, positions[r], qkv, r * 3 * emb, out, r * emb, nHeads, headDim,
                        scale, 0, scores);
            }
        });
        return out;
    }

    private float[] linear(float[] x, int rows, Linear layer) {
        return linear(x, rows, layer.weight, layer.bias);
    }

    /** x [rows, in] → [rows, out] = x · weightᵀ (+ bias), the weight streamed once from its panels. */
    private float[] linear(float[] x, int rows, Tensor weight, Tensor bias) {
        int out = weight.dim(0), in = weight.dim(1);
        float[] y = new float[rows * out];
        PanelGemv.multiply(panels.get(weight), x, 0, bias == null ? null : bias.data(), y, 0, rows, in, out);
        return y;
    }

    private float[] layerNorm(float[] x, int rows, LayerNorm norm) {
        float[] y = new float[rows * emb];
        LayerNormKernel.forward(x, norm.scale.data(), norm.shift.data(), LayerNorm.EPS, y, null, null, rows, emb);
        return y;
    }
}
