package dev.jllm.model;

import dev.jllm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How {@link GptModel}'s parameters meet the canonical Hugging Face GPT-2 state dict (names without the
 * {@code transformer.} prefix; {@code dev.jllm.io} reconciles files with it: prefixes, buffers, a tied
 * {@code lm_head}, zero query/key/value biases).
 *
 * <p>Hugging Face keeps GPT-2's linear layers as {@code Conv1D} with the weight stored [in, out], the transpose
 * of our Linear's [out, in]; the fused {@code c_attn} holds query, key and value side by side, as our
 * {@code att.qkv} does. Embeddings, LayerNorms, biases and a separate {@code lm_head} [vocab, emb] keep their layout.
 */
public final class GptCheckpointLayout {
    private GptCheckpointLayout() {}

    /**
     * One tensor: its Hugging Face name, our parameter name, its shape in the file, and whether the file stores it
     * transposed (our parameter's shape is then {@code shape} reversed).
     */
    public record Entry(String hfName, String name, int[] shape, boolean transposed) {}

    /**
     * Every tensor of a model with this config, in file order: GPT-2's tensor table, the one place it is written
     * (V vocabulary, T context, C embedding width):
     * <pre>
     * wte.weight [V, C]                 h.N.attn.c_proj.weight [C, C]      h.N.mlp.c_fc.weight [C, 4C]
     * wpe.weight [T, C]                 h.N.attn.c_proj.bias   [C]         h.N.mlp.c_fc.bias   [4C]
     * h.N.ln_1.weight, .bias [C]        h.N.ln_2.weight, .bias [C]         h.N.mlp.c_proj.weight [4C, C]
     * h.N.attn.c_attn.weight [C, 3C]    ln_f.weight, .bias     [C]         h.N.mlp.c_proj.bias   [C]
     * h.N.attn.c_attn.bias   [3C]  (only with qkv bias; columns are query | key | value)
     * lm_head.weight [V, C]        (only when the head is not tied to wte)
     * </pre>
     */
    public static List<Entry> entries(GptConfig config) {
        int v = config.vocabSize(), t = config.contextLength(), c = config.embDim();
        List<Entry> out = new ArrayList<>();
        out.add(new Entry("wte.weight", "tok_emb.weight", new int[] {v, c}, false));
        out.add(new Entry("wpe.weight", "pos_emb.weight", new int[] {t, c}, false));
        for (int i = 0; i < config.nLayers(); i++) {
            String h = "h." + i + ".", b = "trf_blocks." + i + ".";
            out.add(new Entry(h + "ln_1.weight", b + "norm1.scale", new int[] {c}, false));
            out.add(new Entry(h + "ln_1.bias", b + "norm1.shift", new int[] {c}, false));
            out.add(new Entry(h + "attn.c_attn.weight", b + "att.qkv.weight", new int[] {c, 3 * c}, true));
            if (config.qkvBias()) out.add(new Entry(h + "attn.c_attn.bias", b + "att.qkv.bias", new int[] {3 * c}, false));
            out.add(new Entry(h + "attn.c_proj.weight", b + "att.out_proj.weight", new int[] {c, c}, true));
            out.add(new Entry(h + "attn.c_proj.bias", b + "att.out_proj.bias", new int[] {c}, false));
            out.add(new Entry(h + "ln_2.weight", b + "norm2.scale", new int[] {c}, false));
            out.add(new Entry(h + "ln_2.bias", b + "norm2.shift", new int[] {c}, false));
            out.add(new Entry(h + "mlp.c_fc.weight", b + "ff.fc1.weight", new int[] {c, 4 * c}, true));
            out.add(new Entry(h + "mlp.c_fc.bias", b + "ff.fc1.bias", new int[] {4 * c}, false));
            out.add(new Entry(h + "mlp.c_proj.weight", b + "ff.fc2.weight", new int[] {4 * c, c}, true));
            out.add(new Entry(h + "mlp.c_proj.bias", b + "ff.fc2.bias", new int[] {c}, false));
        }
        out.add(new Entry("ln_f.weight", "final_norm.scale", new int[] {c}, false));
        out.add(new Entry("ln_f.bias", "final_norm.shift", new int[] {c}, false));
        if (!config.tiedHead()) out.add(new Entry("lm_head.weight", "out_head.weight", new int[] {v, c}, false));
        return out;
    }

    /** Copies the state dict's tensors into the model, checking that every tensor is present and shaped right. */
    static void load(GptModel model, Map<String, Tensor> stateDict) {
        Map<String, Tensor> params = model.namedParameters();
        Set<String> used = new HashSet<>();
        for (Entry e : entries(model.config)) {
            Tensor src = stateDict.get(e.hfName());
            if (src == null) throw new IllegalArgumentException("missing tensor '" + e.hfName() + "'");
            Tensor dst = params.get(e.name());
            int[] expected = e.shape();
            if (!Arrays.equals(src.shape(), expected)) {
                throw new IllegalArgumentException("tensor '" + e.hfName() + "' has shape " + src.shapeString()
                        + ", the config expects " + Arrays.toString(expected));
            }
            if (e.transposed()) transpose(src.data(), dst.data(), expected[0], expected[1]);
            else System.arraycopy(src.data(), 0, dst.data(), 0, src.size());
            used.add(e.hfName());
        }
        for (String name : stateDict.keySet()) {
            if (!used.contains(name)) {
                throw new IllegalArgumentException("unexpected tensor '" + name + "' for a GPT-2 model with "
                        + model.config.nLayers() + " layers" + (model.config.qkvBias() ? "" : ", no qkv bias")
                        + (model.config.tiedHead() ? ", tied head" : ""));
            }
        }
    }

    /** The model's weights under Hugging Face names (fresh copies, transposed where the file layout wants it). */
    static Map<String, Tensor> export(GptModel model) {
        Map<String, Tensor> params = model.namedParameters();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Entry e : entries(model.config)) {
            Tensor p = params.get(e.name());
            if (e.transposed()) {
                int rows = p.dim(0), cols = p.dim(1);
                float[] t = new float[p.size()];
                transpose(p.data(), t, rows, cols);
                out.put(e.hfName(), Tensor.of(t, cols, rows));
            } else {
                out.put(e.hfName(), Tensor.of(p.data().clone(), p.shape()));
            }
        }
        return out;
    }

    /** dst[cols, rows] = src[rows, cols]ᵀ */
    private static void transpose(float[] src, float[] dst, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
        }
    }
}
