package dev.jllm.io.gguf;

import dev.jllm.model.QuantizedWeights;
import dev.jllm.io.GptCheckpoint;
import dev.jllm.io.GptNames;
import dev.jllm.io.StateDict;
import dev.jllm.kernels.quant.Dequantize;
import dev.jllm.kernels.quant.GgmlType;
import dev.jllm.kernels.quant.Quantize;
import dev.jllm.kernels.quant.QuantizedMatrix;
import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.nn.TransformerBlock;
import dev.jllm.tensor.Tensor;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * GPT-2 in GGUF, as llama.cpp's converter writes it (architecture {@code gpt2}): tensor names and metadata keys,
 * and the mapping onto jllm's canonical GPT-2 weights ({@link GptNames}).
 *
 * <pre>
 * token_embd.weight [V, C]   position_embd.weight [T, C]   output_norm.weight/.bias [C]   output.weight [V, C] (untied only)
 * blk.N.attn_norm.weight/.bias [C]      blk.N.attn_qkv.weight [3C, C], .bias [3C]
 * blk.N.attn_output.weight [C, C], .bias   blk.N.ffn_norm.weight/.bias   blk.N.ffn_up.weight [4C, C], .bias
 * blk.N.ffn_down.weight [C, 4C], .bias
 * </pre>
 * Matrices are [out, in] (ne = [in, out]): the transpose of the canonical Conv1D layout. 1-D tensors are F32.
 */
public final class GgufGpt2 {
    private GgufGpt2() {}

    public static final String ARCHITECTURE = "gpt2";
    private static final float LAYER_NORM_EPS = 1e-5f;

    /** GGUF name → canonical name of the per-block tensors; "%" is the block number. */
    private static final String[][] BLOCK_NAMES = {
            {"attn_norm.weight", "ln_1.weight"}, {"attn_norm.bias", "ln_1.bias"},
            {"attn_qkv.weight", "attn.c_attn.weight"}, {"attn_qkv.bias", "attn.c_attn.bias"},
            {"attn_output.weight", "attn.c_proj.weight"}, {"attn_output.bias", "attn.c_proj.bias"},
            {"ffn_norm.weight", "ln_2.weight"}, {"ffn_norm.bias", "ln_2.bias"},
            {"ffn_up.weight", "mlp.c_fc.weight"}, {"ffn_up.bias", "mlp.c_fc.bias"},
            {"ffn_down.weight", "mlp.c_proj.weight"}, {"ffn_down.bias", "mlp.c_proj.bias"}};

    /**
     * Writes a GPT-2 model as GGUF: its matrices (the embedding included) in {@code type} where their rows are
     * whole blocks ({@link QuantizedWeights#typeFor} otherwise), position embedding and vectors in F32, the config
     * as {@code gpt2.*} metadata and, when given, the tokenizer as {@code tokenizer.ggml.*}. Atomic.
     */
    public static void write(GptConfig config, StateDict canonical, Gpt2Tokenizer tokenizer, GgmlType type, String name,
                             Path out) throws IOException {
        GptNames.check(config, canonical);
        int c = config.embDim();
        GgufWriter w = new GgufWriter()
                .put("general.architecture", GgufValue.of(ARCHITECTURE))
                .put("general.name", GgufValue.of(name))
                .put("general.file_type", GgufValue.uint32(fileType(type)))
                .put("general.quantization_version", GgufValue.uint32(2))
                .put("gpt2.context_length", GgufValue.uint32(config.contextLength()))
                .put("gpt2.embedding_length", GgufValue.uint32(c))
                .put("gpt2.feed_forward_length", GgufValue.uint32(4L * c))
                .put("gpt2.block_count", GgufValue.uint32(config.nLayers()))
                .put("gpt2.attention.head_count", GgufValue.uint32(config.nHeads()))
                .put("gpt2.attention.layer_norm_epsilon", GgufValue.float32(LAYER_NORM_EPS));
        if (tokenizer != null) {
            String[] tokens = tokenizer.tokenStrings();
            long[] types = new long[tokens.length];
            Arrays.fill(types, 1); // NORMAL
            for (int id : tokenizer.specialTokens().values()) types[id] = 3; // CONTROL
            w.put("tokenizer.ggml.model", GgufValue.of("gpt2"))
                    .put("tokenizer.ggml.pre", GgufValue.of("gpt-2"))
                    .put("tokenizer.ggml.tokens", GgufValue.strings(tokens))
                    .put("tokenizer.ggml.token_type", GgufValue.int32s(types))
                    .put("tokenizer.ggml.merges", GgufValue.strings(tokenizer.mergeLines().toArray(String[]::new)));
            if (tokenizer.eotId() >= 0) {
                w.put("tokenizer.ggml.bos_token_id", GgufValue.uint32(tokenizer.eotId()))
                        .put("tokenizer.ggml.eos_token_id", GgufValue.uint32(tokenizer.eotId()));
            }
        }
        matrix(w, "token_embd.weight", canonical.require("wte.weight"), false, type);
        matrix(w, "position_embd.weight", canonical.require("wpe.weight"), false, GgmlType.F32);
        StateDict full = withQkvBias(config, canonical);
        for (int i = 0; i < config.nLayers(); i++) {
            for (String[] n : BLOCK_NAMES) {
                Tensor t = full.require("h." + i + "." + n[1]);
                if (t.shape().length == 1) w.floats("blk." + i + "." + n[0], t.data(), t.dim(0));
                else matrix(w, "blk." + i + "." + n[0], t, true, type);
            }
        }
        w.floats("output_norm.weight", canonical.require("ln_f.weight").data(), c);
        w.floats("output_norm.bias", canonical.require("ln_f.bias").data(), c);
        if (!config.tiedHead()) matrix(w, "output.weight", canonical.require("lm_head.weight"), false, type);
        w.write(out);
    }

    /** llama.cpp's general.file_type for a file whose matrices are {@code type}. */
    static long fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q4_1 -> 3;
            case Q8_0 -> 7;
            case Q4_K -> 15;
            case Q5_K -> 17;
            case Q6_K -> 18;
            case BF16 -> 32;
        };
    }

    private static void matrix(GgufWriter w, String name, Tensor t, boolean transpose, GgmlType type) {
        int rows = transpose ? t.dim(1) : t.dim(0), cols = transpose ? t.dim(0) : t.dim(1);
        float[] values = transpose ? transpose(t.data(), t.dim(0), t.dim(1)) : t.data();
        w.matrix(name, Quantize.matrix(values, rows, cols, QuantizedWeights.typeFor(type, cols)));
    }

    /** A model without query/key/value biases gets zero ones (llama.cpp's gpt2 requires them). */
    private static StateDict withQkvBias(GptConfig config, StateDict canonical) {
        if (config.qkvBias()) return canonical;
        StateDict out = new StateDict();
        canonical.tensors().forEach(out::put);
        for (int i = 0; i < config.nLayers(); i++) out.put("h." + i + ".attn.c_attn.bias", Tensor.zeros(3 * config.embDim()));
        return out;
    }

    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        return t;
    }

    /** The model in a GGUF file of architecture gpt2, dequantized to float32 under the canonical names. */
    public static GptCheckpoint read(GgufFile f) {
        int c = f.count("gpt2.embedding_length"), layers = f.count("gpt2.block_count");
        int heads = f.count("gpt2.attention.head_count"), context = f.count("gpt2.context_length");
        long ff = f.integer("gpt2.feed_forward_length", 4L * c);
        if (ff != 4L * c) throw GgufFile.error(f.file(), "gpt2.feed_forward_length " + ff + " is not 4 × " + c + " (jllm's GPT-2 needs that)");
        int vocab = f.tensor("token_embd.weight").shape()[0];
        boolean tied = !f.hasTensor("output.weight");
        StateDict weights = new StateDict();
        weights.put("wte.weight", tensor(f, "token_embd.weight", false));
        weights.put("wpe.weight", tensor(f, "position_embd.weight", false));
        boolean qkvBias = false;
        for (int i = 0; i < layers; i++) {
            for (String[] n : BLOCK_NAMES) {
                String name = "blk." + i + "." + n[0];
                if (n[0].equals("attn_qkv.bias") && !f.hasTensor(name)) continue;
                Tensor t = tensor(f, name, n[0].endsWith(".weight") && !n[0].contains("norm"));
                if (n[0].equals("attn_qkv.bias")) {
                    boolean zero = true;
                    for (float v : t.data()) zero &= v == 0f;
                    if (zero) continue;
                    qkvBias = true;
                }
                weights.put("h." + i + "." + n[1], t);
            }
        }
        if (!qkvBias) for (int i = 0; i < layers; i++) weights.remove("h." + i + ".attn.c_attn.bias");
        weights.put("ln_f.weight", tensor(f, "output_norm.weight", false));
        weights.put("ln_f.bias", tensor(f, "output_norm.bias", false));
        if (!tied) weights.put("lm_head.weight", tensor(f, "output.weight", false));
        GptConfig config = new GptConfig(vocab, context, c, heads, layers, 0.1f, qkvBias, tied);
        try {
            GptNames.check(config, weights);
        } catch (IllegalArgumentException e) {
            throw GgufFile.error(f.file(), e.getMessage());
        }
        StateDict ordered = new StateDict();
        for (String name : GptNames.expectedShapes(config).keySet()) ordered.put(name, weights.get(name));
        return new GptCheckpoint(config, ordered, f.file(), GptNames.Naming.HUGGING_FACE);
    }

    /** A tensor as float32 (a matrix transposed to the canonical Conv1D layout when {@code conv1d}). */
    private static Tensor tensor(GgufFile f, String name, boolean conv1d) {
        GgufFile.TensorInfo info = f.tensor(name);
        float[] v = f.floats(info);
        int[] shape = info.shape();
        if (!conv1d) return Tensor.of(v, shape);
        return Tensor.of(transpose(v, shape[0], shape[1]), shape[1], shape[0]);
    }

    /**
     * The file's own matrices, in place, for the decode step of {@code model} (loaded from the same file): each
     * block's qkv, out_proj, fc1, fc2 and the output head.
     */
    public static QuantizedWeights decodeWeights(GptModel model, GgufFile f) {
        QuantizedWeights q = new QuantizedWeights();
        for (int i = 0; i < model.blocks.size(); i++) {
            TransformerBlock b = model.blocks.get(i);
            q.put(b.att.qkv.weight, f.matrix("blk." + i + ".attn_qkv.weight"));
            q.put(b.att.outProj.weight, f.matrix("blk." + i + ".attn_output.weight"));
            q.put(b.ff.fc1.weight, f.matrix("blk." + i + ".ffn_up.weight"));
            q.put(b.ff.fc2.weight, f.matrix("blk." + i + ".ffn_down.weight"));
        }
        q.put(model.headWeight(), f.matrix(f.hasTensor("output.weight") ? "output.weight" : "token_embd.weight"));
        return q;
    }

    /** The tokenizer of a file whose {@code tokenizer.ggml.model} is {@code gpt2} with GPT-2's pre-tokenizer. */
    public static Gpt2Tokenizer tokenizer(GgufFile f) {
        String model = f.string("tokenizer.ggml.model");
        String pre = f.string("tokenizer.ggml.pre", "gpt-2");
        if (!model.equals("gpt2") || !(pre.equals("gpt-2") || pre.equals("default"))) {
            throw GgufFile.error(f.file(), "tokenizer " + model + "/" + pre + " is not GPT-2's byte-level BPE");
        }
        return Gpt2Tokenizer.fromTokensAndMerges(f.strings("tokenizer.ggml.tokens"), List.of(f.strings("tokenizer.ggml.merges")), f.file());
    }
}
