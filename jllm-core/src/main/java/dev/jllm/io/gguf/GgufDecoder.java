package dev.jllm.io.gguf;

import dev.jllm.kernels.quant.GgmlType;
import dev.jllm.kernels.quant.Quantize;
import dev.jllm.kernels.quant.QuantizedMatrix;
import dev.jllm.model.DecoderConfig;
import dev.jllm.model.DecoderConfig.Family;
import dev.jllm.model.DecoderConfig.Rope;
import dev.jllm.model.DecoderModel;
import dev.jllm.model.QuantizedWeights;
import dev.jllm.nn.RotaryEmbedding;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Llama 3, Qwen3 and Gemma 3 in GGUF (architectures {@code llama}, {@code qwen3}, {@code gemma3}), mapped onto
 * jllm's {@link DecoderModel} both ways, as llama.cpp's {@code convert_hf_to_gguf.py} lays them out:
 *
 * <pre>
 * token_embd [V, C]          model.embed_tokens        output [V, C] (untied only)   lm_head
 * output_norm                model.norm                blk.N.attn_norm               input_layernorm
 * blk.N.attn_q / attn_k / attn_v / attn_output          self_attn.q_proj / k_proj / v_proj / o_proj (.weight, .bias)
 * blk.N.attn_q_norm / attn_k_norm                       self_attn.q_norm / k_norm (Qwen3, Gemma 3)
 * blk.N.ffn_norm             post_attention_layernorm (Llama, Qwen3); pre_feedforward_layernorm (Gemma 3)
 * blk.N.post_attention_norm / post_ffw_norm             post_attention_layernorm / post_feedforward_layernorm (Gemma 3)
 * blk.N.ffn_gate / ffn_up / ffn_down                    mlp.gate_proj / up_proj / down_proj
 * </pre>
 *
 * Three conventions differ from Hugging Face's: {@code llama} files permute the rows of attn_q and attn_k so that RoPE
 * rotates adjacent pairs ({@link #permutation}); Llama 3's rope scaling is only the tensor {@code rope_freqs.weight}
 * (one divisor per frequency), from which the llama3 rope settings are recovered ({@link #llama3Rope}); Gemma 3's
 * norm weights are stored as 1 + w (its RMSNorm's factor), jllm's Gemma keeps w.
 */
public final class GgufDecoder {
    private GgufDecoder() {}

    /** The GGUF architectures this maps, with their families. */
    public static final Map<String, Family> ARCHITECTURES = Map.of("llama", Family.LLAMA, "qwen3", Family.QWEN3,
            "gemma3", Family.GEMMA3);

    /** The original context Llama 3.x files were scaled from, when a file does not say ({@code rope.scaling.original_context_length}). */
    private static final int LLAMA3_ORIGINAL_CONTEXT = 8192;

    /** The config of a file of one of {@link #ARCHITECTURES}, from its {@code ARCH.*} and tokenizer metadata. */
    public static DecoderConfig config(GgufFile f) {
        String arch = f.architecture();
        Family family = ARCHITECTURES.get(arch);
        if (family == null) throw GgufFile.error(f.file(), "architecture '" + arch + "' is not one of " + ARCHITECTURES.keySet());
        boolean gemma = family == Family.GEMMA3;
        int hidden = f.count(arch + ".embedding_length"), layers = f.count(arch + ".block_count");
        if (!f.hasTensor("blk." + (layers - 1) + ".attn_norm.weight") || f.hasTensor("blk." + layers + ".attn_norm.weight")) {
            // before anything is sized by it: a made-up count would make millions of names (GgufFuzzTest found the hang)
            throw GgufFile.error(f.file(), arch + ".block_count " + layers + " does not match the file's blocks of tensors");
        }
        int heads = f.count(arch + ".attention.head_count");
        int kvHeads = (int) f.integer(arch + ".attention.head_count_kv", heads);
        int headDim = (int) f.integer(arch + ".attention.key_length", hidden / heads);
        int vocab = f.matrix("token_embd.weight").rows();
        int intermediate = f.matrix("blk.0.ffn_gate.weight").rows();
        int context = (int) Math.min(Integer.MAX_VALUE, f.integer(arch + ".context_length", gemma ? 131072 : 4096));
        double theta = f.real(arch + ".rope.freq_base", gemma ? 1e6 : 10000);
        Rope rope = Rope.plain(theta);
        String scaling = f.string(arch + ".rope.scaling.type", "none");
        if (scaling.equals("linear")) rope = new Rope(theta, "linear", f.real(arch + ".rope.scaling.factor"), 0, 0, 0);
        else if (!scaling.equals("none")) throw GgufFile.error(f.file(), "rope scaling '" + scaling + "' is not supported (jllm knows linear)");
        if (f.hasTensor("rope_freqs.weight")) {
            float[] factors = f.floats(f.tensor("rope_freqs.weight"));
            int original = (int) f.integer(arch + ".rope.scaling.original_context_length", LLAMA3_ORIGINAL_CONTEXT);
            try {
                rope = llama3Rope(factors, headDim, theta, original);
            } catch (IllegalArgumentException e) {
                throw GgufFile.error(f.file(), e.getMessage());
            }
        }
        Rope localRope = gemma ? Rope.plain(f.real(arch + ".rope.freq_base_swa", 10000)) : null;
        int window = (int) f.integer(arch + ".attention.sliding_window", 0);
        List<Boolean> sliding = DecoderConfig.none(layers);
        if (gemma && window > 0) sliding = slidingLayers(f, arch + ".attention.sliding_window_pattern", layers);
        // llama.cpp scales Gemma 3 27B's queries by (hidden/heads)^-½, the others by head_dim^-½
        float scalar = gemma && layers == 62 ? (float) hidden / heads : headDim;
        float eps = (float) f.real(arch + ".attention.layer_norm_rms_epsilon", gemma ? 1e-6 : 1e-5);
        int bos = (int) f.integer("tokenizer.ggml.bos_token_id", -1);
        List<Integer> eos = new ArrayList<>();
        for (String k : List.of("eos", "eot", "eom")) {
            long id = f.integer("tokenizer.ggml." + k + "_token_id", -1);
            if (id >= 0 && id < vocab && !eos.contains((int) id)) eos.add((int) id);
        }
        int pad = (int) f.integer("tokenizer.ggml.padding_token_id", -1);
        try {
            return new DecoderConfig(family, vocab, hidden, intermediate, layers, heads, kvHeads, headDim, context, eps, rope,
                    localRope, scalar, window, sliding, !f.hasTensor("output.weight"), f.hasTensor("blk.0.attn_q.bias"),
                    (float) f.real(arch + ".final_logit_softcapping", 0), bos < vocab ? bos : -1, eos,
                    pad >= 0 && pad < vocab ? pad : -1);
        } catch (IllegalArgumentException e) {
            throw GgufFile.error(f.file(), e.getMessage());
        }
    }

    /** Gemma's layer types: {@code sliding_window_pattern} as a period (every n-th layer global) or a bool per layer; 6 when absent. */
    private static List<Boolean> slidingLayers(GgufFile f, String key, int layers) {
        if (!f.has(key)) return DecoderConfig.pattern(layers, 6);
        if (f.metadata().get(key).value() instanceof boolean[] each) {
            if (each.length != layers) throw GgufFile.error(f.file(), key + " has " + each.length + " entries for " + layers + " layers");
            List<Boolean> out = new ArrayList<>();
            for (boolean b : each) out.add(b);
            return out;
        }
        long period = f.integer(key);
        if (period < 1) throw GgufFile.error(f.file(), key + " = " + period + " is not a period");
        return DecoderConfig.pattern(layers, (int) period);
    }

    /**
     * The llama3 rope settings whose divisors are {@code factors} (one per frequency θᵢ = theta^(−2i/headDim)), for
     * an original context of {@code original} positions: the factor is the largest divisor; the low and high frequency
     * factors follow from the divisors between 1 and the factor (smooth ones: 1/d = (1 − s)/factor + s, s linear in
     * θᵢ), or are placed between the neighbouring frequencies when fewer than two are smooth. The result is checked by
     * recomputing the divisors.
     */
    static Rope llama3Rope(float[] factors, int headDim, double theta, int original) {
        if (factors.length != headDim / 2) {
            throw new IllegalArgumentException("rope_freqs.weight has " + factors.length + " factors, not head_dim/2 = " + headDim / 2);
        }
        double factor = 1;
        for (float d : factors) {
            if (!(d >= 1)) throw new IllegalArgumentException("rope_freqs.weight holds " + d + "; Llama 3's divisors are at least 1");
            factor = Math.max(factor, d);
        }
        if (factor == 1) return Rope.plain(theta);
        double uOne = Double.POSITIVE_INFINITY, uFactor = 0; // u = original / wavelength of the unscaled / fully scaled ones
        List<double[]> smooth = new ArrayList<>();
        for (int i = 0; i < factors.length; i++) {
            double u = original / (2 * Math.PI * Math.pow(theta, (double) (float) (2.0 * i / headDim)));
            double d = factors[i];
            if (Math.abs(d - 1) < 1e-6) uOne = Math.min(uOne, u);
            else if (Math.abs(d - factor) < 1e-6 * factor) uFactor = Math.max(uFactor, u);
            else smooth.add(new double[] {u, (1 / d - 1 / factor) / (1 - 1 / factor)});
        }
        double low, high;
        if (smooth.size() >= 2) {
            double[] a = smooth.getFirst(), b = smooth.getLast();
            double span = (a[0] - b[0]) / (a[1] - b[1]);
            low = a[0] - a[1] * span;
            high = low + span;
        } else if (smooth.size() == 1) {
            double u = smooth.getFirst()[0], s = smooth.getFirst()[1];
            double room = Math.min(Double.isInfinite(uOne) ? u : uOne - u, uFactor == 0 ? u : (u - uFactor) * (1 - s) / s);
            high = u + room / 2;
            low = (u - s * high) / (1 - s);
        } else {
            double top = Double.isInfinite(uOne) ? 2 * uFactor + 1 : uOne;
            low = uFactor + (top - uFactor) / 3;
            high = uFactor + 2 * (top - uFactor) / 3;
        }
        Rope rope;
        try {
            rope = new Rope(theta, "llama3", factor, low, high, original);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("rope_freqs.weight is not Llama 3's rope scaling (" + e.getMessage() + ")");
        }
        float[] plain = RotaryEmbedding.inverseFrequencies(headDim, Rope.plain(theta));
        float[] scaled = RotaryEmbedding.inverseFrequencies(headDim, rope);
        for (int i = 0; i < factors.length; i++) {
            double d = plain[i] / (double) scaled[i];
            if (Math.abs(d - factors[i]) > 1e-4 * factors[i]) {
                throw new IllegalArgumentException("rope_freqs.weight is not Llama 3's rope scaling (divisor " + i + " is "
                        + factors[i] + ", the fitted settings give " + d + ")");
            }
        }
        return rope;
    }

    /**
     * Row order of llama.cpp's permuted attn_q / attn_k [heads·headDim, in]: the file's row
     * h·headDim + 2j + t holds Hugging Face's row h·headDim + t·headDim/2 + j. Returns, for each Hugging Face row, the
     * file's row.
     */
    static int[] permutation(int heads, int headDim) {
        int half = headDim / 2;
        int[] fileRow = new int[heads * headDim];
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < half; j++) {
                for (int t = 0; t < 2; t++) fileRow[h * headDim + t * half + j] = h * headDim + 2 * j + t;
            }
        }
        return fileRow;
    }

    /** What each Hugging Face parameter is in the file: the tensor's name, the rows' permutation (or null), the norm shift. */
    private record Source(String name, int[] rows, float shift) {}

    private static Map<String, Source> sources(DecoderConfig c) {
        boolean llama = c.family() == Family.LLAMA, gemma = c.family() == Family.GEMMA3;
        float shift = gemma ? 1f : 0f;
        int[] q = llama ? permutation(c.nHeads(), c.headDim()) : null, k = llama ? permutation(c.nKvHeads(), c.headDim()) : null;
        Map<String, Source> out = new LinkedHashMap<>();
        for (String name : DecoderModel.parameterShapes(c).keySet()) {
            String g;
            int[] rows = null;
            if (name.equals("model.embed_tokens.weight")) g = "token_embd.weight";
            else if (name.equals("lm_head.weight")) g = "output.weight";
            else if (name.equals("model.norm.weight")) g = "output_norm.weight";
            else {
                String[] parts = name.split("\\.", 4); // model, layers, N, rest
                String rest = parts[3];
                String suffix = rest.substring(rest.lastIndexOf('.'));
                String module = rest.substring(0, rest.lastIndexOf('.'));
                g = "blk." + parts[2] + "." + switch (module) {
                    case "input_layernorm" -> "attn_norm";
                    case "self_attn.q_proj" -> "attn_q";
                    case "self_attn.k_proj" -> "attn_k";
                    case "self_attn.v_proj" -> "attn_v";
                    case "self_attn.o_proj" -> "attn_output";
                    case "self_attn.q_norm" -> "attn_q_norm";
                    case "self_attn.k_norm" -> "attn_k_norm";
                    case "post_attention_layernorm" -> gemma ? "post_attention_norm" : "ffn_norm";
                    case "pre_feedforward_layernorm" -> "ffn_norm";
                    case "post_feedforward_layernorm" -> "post_ffw_norm";
                    case "mlp.gate_proj" -> "ffn_gate";
                    case "mlp.up_proj" -> "ffn_up";
                    case "mlp.down_proj" -> "ffn_down";
                    default -> throw new IllegalStateException("no GGUF name for " + name);
                } + suffix;
                if (module.equals("self_attn.q_proj")) rows = q;
                if (module.equals("self_attn.k_proj")) rows = k;
            }
            out.put(name, new Source(g, rows, name.endsWith("norm.weight") ? shift : 0f));
        }
        return out;
    }

    /**
     * The model of a file of one of {@link #ARCHITECTURES}, its matrices held as the file holds them, in place (the
     * file must stay open while the model is used): ggml blocks as {@link Tensor#quantized} tensors, BF16 as
     * bfloat16 tensors, F32 read as float32; the permuted attn_q / attn_k rows of {@code llama} files are copied into
     * Hugging Face's order (the only copy). Vectors are read as float32. Training takes a float32
     * {@link DecoderModel#copy} (dequantized) or LoRA adapters over this model as a frozen base.
     */
    public static DecoderModel read(GgufFile f) {
        DecoderConfig c = config(f);
        Map<String, int[]> shapes = DecoderModel.parameterShapes(c);
        Map<String, Tensor> weights = new LinkedHashMap<>();
        sources(c).forEach((name, s) -> {
            GgufFile.TensorInfo info = f.tensor(s.name());
            int[] shape = shapes.get(name);
            if (!java.util.Arrays.equals(info.shape(), shape)) {
                throw GgufFile.error(f.file(), "tensor '" + s.name() + "' is " + java.util.Arrays.toString(info.shape())
                        + ", the config needs " + java.util.Arrays.toString(shape));
            }
            weights.put(name, shape.length == 2 && info.type() != GgmlType.F32 ? inPlace(f, f.matrix(s.name()), s.rows()) : floats(f, info, s));
        });
        return DecoderModel.fromStateDict(c, weights);
    }

    /** A matrix of ggml blocks (or BF16) as a read-only tensor over the file's bytes; permuted rows copied in order. */
    private static Tensor inPlace(GgufFile f, QuantizedMatrix m, int[] rows) {
        if (rows != null) m = permuteRows(f, m, rows);
        return m.type() == GgmlType.BF16 ? Tensor.bf16(m.data(), m.rows(), m.cols()) : Tensor.quantized(m);
    }

    /** A tensor read as float32: rows permuted, norms shifted as {@code s} says. */
    private static Tensor floats(GgufFile f, GgufFile.TensorInfo info, Source s) {
        float[] v = f.floats(info);
        if (s.rows() != null) v = permuteRows(v, s.rows(), v.length / s.rows().length);
        if (s.shift() != 0) for (int i = 0; i < v.length; i++) v[i] -= s.shift();
        return Tensor.of(v, info.shape());
    }

    /** out row r = in row rows[r], rows of {@code cols} values. */
    private static float[] permuteRows(float[] in, int[] rows, int cols) {
        float[] out = new float[in.length];
        for (int r = 0; r < rows.length; r++) System.arraycopy(in, rows[r] * cols, out, r * cols, cols);
        return out;
    }

    private static QuantizedMatrix permuteRows(GgufFile f, QuantizedMatrix m, int[] rows) {
        long rowBytes = m.rowBytes();
        MemorySegment out = f.allocate(m.byteSize());
        for (int r = 0; r < rows.length; r++) MemorySegment.copy(m.data(), rows[r] * rowBytes, out, r * rowBytes, rowBytes);
        return new QuantizedMatrix(m.type(), m.rows(), m.cols(), out);
    }

    /**
     * Writes {@code model} as a GGUF file of its architecture with its matrices (the embedding included) in {@code type}
     * where their rows are whole blocks ({@link QuantizedWeights#typeFor} otherwise), vectors in F32, the config as
     * metadata, and the tokenizer metadata {@code tokenizer} puts (may be null). Atomic.
     */
    public static void write(DecoderModel model, GgmlType type, String name, java.util.function.Consumer<GgufWriter> tokenizer,
                             Path out) throws IOException {
        DecoderConfig c = model.config;
        String arch = ARCHITECTURES.entrySet().stream().filter(e -> e.getValue() == c.family()).findFirst().orElseThrow().getKey();
        GgufWriter w = new GgufWriter()
                .put("general.architecture", GgufValue.of(arch))
                .put("general.name", GgufValue.of(name))
                .put("general.file_type", GgufValue.uint32(GgufGpt2.fileType(type)))
                .put("general.quantization_version", GgufValue.uint32(2))
                .put(arch + ".context_length", GgufValue.uint32(c.maxPositions()))
                .put(arch + ".embedding_length", GgufValue.uint32(c.hiddenSize()))
                .put(arch + ".feed_forward_length", GgufValue.uint32(c.intermediateSize()))
                .put(arch + ".block_count", GgufValue.uint32(c.nLayers()))
                .put(arch + ".attention.head_count", GgufValue.uint32(c.nHeads()))
                .put(arch + ".attention.head_count_kv", GgufValue.uint32(c.nKvHeads()))
                .put(arch + ".attention.key_length", GgufValue.uint32(c.headDim()))
                .put(arch + ".attention.value_length", GgufValue.uint32(c.headDim()))
                .put(arch + ".attention.layer_norm_rms_epsilon", GgufValue.float32(c.rmsEps()))
                .put(arch + ".rope.freq_base", GgufValue.float32((float) c.rope().theta()));
        if (c.rope().type().equals("linear")) {
            w.put(arch + ".rope.scaling.type", GgufValue.of("linear")).put(arch + ".rope.scaling.factor", GgufValue.float32((float) c.rope().factor()));
        }
        if (c.family() == Family.GEMMA3) {
            if (c.slidingWindow() > 0) w.put(arch + ".attention.sliding_window", GgufValue.uint32(c.slidingWindow()));
            if (!c.slidingLayers().equals(DecoderConfig.pattern(c.nLayers(), 6))) {
                boolean[] each = new boolean[c.nLayers()];
                for (int i = 0; i < each.length; i++) each[i] = c.sliding(i);
                w.put(arch + ".attention.sliding_window_pattern", new GgufValue(GgufValue.Type.ARRAY, GgufValue.Type.BOOL, each));
            }
            if (c.localRope().theta() != 10000) w.put(arch + ".rope.freq_base_swa", GgufValue.float32((float) c.localRope().theta()));
            if (c.finalLogitSoftcap() > 0) w.put(arch + ".final_logit_softcapping", GgufValue.float32(c.finalLogitSoftcap()));
            float expected = c.nLayers() == 62 ? (float) c.hiddenSize() / c.nHeads() : c.headDim();
            if (c.queryPreAttnScalar() != expected) {
                throw new IllegalArgumentException("query_pre_attn_scalar " + c.queryPreAttnScalar() + " has no GGUF form (llama.cpp uses "
                        + expected + " for this model)");
            }
        } else if (c.queryPreAttnScalar() != c.headDim() || !c.localRope().equals(c.rope())) {
            throw new IllegalArgumentException("this " + arch + " model's attention settings have no GGUF form");
        }
        if (c.rope().type().equals("llama3")) {
            w.put(arch + ".rope.scaling.original_context_length", GgufValue.uint32(c.rope().originalMaxPositions()));
            float[] plain = RotaryEmbedding.inverseFrequencies(c.headDim(), Rope.plain(c.rope().theta()));
            float[] scaled = RotaryEmbedding.inverseFrequencies(c.headDim(), c.rope());
            float[] factors = new float[plain.length];
            for (int i = 0; i < factors.length; i++) factors[i] = (float) (plain[i] / (double) scaled[i]);
            w.floats("rope_freqs.weight", factors, factors.length);
        }
        if (tokenizer != null) tokenizer.accept(w);
        Map<String, Tensor> params = model.namedParameters();
        sources(c).forEach((hf, s) -> {
            Tensor t = params.get(hf);
            float[] v = t.toFloat32().data();
            if (s.shift() != 0) {
                v = v.clone();
                for (int i = 0; i < v.length; i++) v[i] += s.shift();
            }
            if (t.rank() == 1) {
                w.floats(s.name(), v, v.length);
                return;
            }
            int rows = t.dim(0), cols = t.dim(1);
            if (s.rows() != null) { // Hugging Face row r goes to the file's row s.rows()[r]
                float[] p = new float[v.length];
                for (int r = 0; r < rows; r++) System.arraycopy(v, r * cols, p, s.rows()[r] * cols, cols);
                v = p;
            }
            w.matrix(s.name(), Quantize.matrix(v, rows, cols, QuantizedWeights.typeFor(type, cols)));
        });
        w.write(out);
    }
}
