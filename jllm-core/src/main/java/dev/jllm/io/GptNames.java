package dev.jllm.io;

import dev.jllm.model.GptCheckpointLayout;
import dev.jllm.model.GptConfig;
import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one naming of GPT-2 weights that jllm's model loads, and the conversions to it from the three namings found in
 * the wild.
 *
 * <p>The canonical names are Hugging Face's GPT-2 names without the {@code transformer.} prefix, with the weights of
 * every projection in Conv1D layout [in, out] (the transpose of PyTorch's {@code nn.Linear}); the table of those
 * names and shapes is {@link GptCheckpointLayout#entries}.
 */
public final class GptNames {

    /** How a checkpoint names its tensors. */
    public enum Naming {
        /** Hugging Face's GPT-2, with or without the {@code transformer.} prefix. */
        HUGGING_FACE,
        /** The book's {@code GPTModel}: {@code tok_emb}, {@code trf_blocks.N.att.W_query}, ... */
        BOOK,
        /** OpenAI's TensorFlow checkpoint: {@code model/wte}, {@code model/h0/attn/c_attn/w}, ... */
        TENSORFLOW
    }

    private static final Pattern HF_BUFFER = Pattern.compile("h\\.\\d+\\.attn\\.(bias|masked_bias)");
    private static final Pattern BOOK_BUFFER = Pattern.compile("trf_blocks\\.\\d+\\.att\\.mask");
    private static final Pattern BOOK_BLOCK = Pattern.compile("trf_blocks\\.(\\d+)\\.(.+)");
    private static final Pattern TF_BLOCK = Pattern.compile("model/h(\\d+)/(.+)");

    private GptNames() {}

    /** The naming {@code dict} uses, judged by its embedding tensors. */
    public static Naming naming(StateDict dict) {
        for (String name : dict.names()) {
            if (name.startsWith("model/")) return Naming.TENSORFLOW;
            if (name.equals("tok_emb.weight") || name.startsWith("trf_blocks.")) return Naming.BOOK;
        }
        return Naming.HUGGING_FACE;
    }

    /**
     * Whether {@code name} is a constant buffer rather than a weight (the causal masks that Hugging Face's and the
     * book's models store); such tensors are never loaded.
     */
    public static boolean isBuffer(String name) {
        String n = name.startsWith("transformer.") ? name.substring("transformer.".length()) : name;
        return HF_BUFFER.matcher(n).matches() || BOOK_BUFFER.matcher(n).matches();
    }

    /** {@code dict} under the canonical names, buffers dropped; the metadata is carried over. */
    public static StateDict canonical(StateDict dict) {
        StateDict out = switch (naming(dict)) {
            case HUGGING_FACE -> fromHuggingFace(dict);
            case BOOK -> fromBook(dict);
            case TENSORFLOW -> fromTensorFlow(dict);
        };
        out.metadata().putAll(dict.metadata());
        return out;
    }

    /** Canonical name → shape of every tensor a model of {@code config} has, in the order files list them. */
    public static Map<String, int[]> expectedShapes(GptConfig config) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (GptCheckpointLayout.Entry e : GptCheckpointLayout.entries(config)) shapes.put(e.hfName(), e.shape());
        return shapes;
    }

    /**
     * Checks that canonical {@code dict} holds exactly the tensors of {@code config} with the right shapes: a missing,
     * misshapen or unexpected tensor is an error naming it (and both shapes).
     */
    public static void check(GptConfig config, StateDict dict) {
        Map<String, int[]> expected = expectedShapes(config);
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            Tensor t = dict.get(e.getKey());
            if (t == null) {
                throw new IllegalArgumentException("missing tensor '" + e.getKey() + "' (config " + describe(config) + ")");
            }
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has shape " + t.shapeString()
                        + " but the config needs " + Arrays.toString(e.getValue()) + " (config " + describe(config) + ")");
            }
        }
        for (String name : dict.names()) {
            if (!expected.containsKey(name)) {
                throw new IllegalArgumentException("unexpected tensor '" + name + "' for config " + describe(config));
            }
        }
    }

    static String describe(GptConfig c) {
        return "vocab " + c.vocabSize() + ", context " + c.contextLength() + ", emb " + c.embDim() + ", heads "
                + c.nHeads() + ", layers " + c.nLayers() + (c.qkvBias() ? ", qkv bias" : "")
                + (c.tiedHead() ? ", tied head" : ", separate head");
    }

    // ---- Hugging Face ----

    private static StateDict fromHuggingFace(StateDict dict) {
        StateDict out = new StateDict();
        for (Map.Entry<String, Tensor> e : dict.tensors().entrySet()) {
            String name = e.getKey().startsWith("transformer.") ? e.getKey().substring("transformer.".length()) : e.getKey();
            if (!isBuffer(name)) out.put(name, e.getValue());
        }
        return out;
    }

    // ---- the book ----

    private static StateDict fromBook(StateDict dict) {
        Source src = new Source(dict, Naming.BOOK);
        StateDict out = new StateDict();
        out.put("wte.weight", src.take("tok_emb.weight"));
        out.put("wpe.weight", src.take("pos_emb.weight"));
        int layers = src.layers(BOOK_BLOCK);
        for (int i = 0; i < layers; i++) {
            String b = "trf_blocks." + i + ".", h = "h." + i + ".";
            out.put(h + "ln_1.weight", src.take(b + "norm1.scale"));
            out.put(h + "ln_1.bias", src.take(b + "norm1.shift"));
            out.put(h + "attn.c_attn.weight", fuseQkv(src.take(b + "att.W_query.weight"),
                    src.take(b + "att.W_key.weight"), src.take(b + "att.W_value.weight")));
            if (src.has(b + "att.W_query.bias")) {
                out.put(h + "attn.c_attn.bias", Ops.concat(0, src.take(b + "att.W_query.bias"),
                        src.take(b + "att.W_key.bias"), src.take(b + "att.W_value.bias")));
            }
            out.put(h + "attn.c_proj.weight", transpose(src.take(b + "att.out_proj.weight")));
            out.put(h + "attn.c_proj.bias", src.take(b + "att.out_proj.bias"));
            out.put(h + "ln_2.weight", src.take(b + "norm2.scale"));
            out.put(h + "ln_2.bias", src.take(b + "norm2.shift"));
            out.put(h + "mlp.c_fc.weight", transpose(src.take(b + "ff.layers.0.weight")));
            out.put(h + "mlp.c_fc.bias", src.take(b + "ff.layers.0.bias"));
            out.put(h + "mlp.c_proj.weight", transpose(src.take(b + "ff.layers.2.weight")));
            out.put(h + "mlp.c_proj.bias", src.take(b + "ff.layers.2.bias"));
        }
        out.put("ln_f.weight", src.take("final_norm.scale"));
        out.put("ln_f.bias", src.take("final_norm.shift"));
        if (src.has("out_head.weight")) out.put("lm_head.weight", src.take("out_head.weight"));
        src.rejectLeftovers();
        return out;
    }

    /**
     * Three PyTorch Linear weights [C_out, C_in] → one Conv1D weight [C_in, 3·C_out] whose columns are
     * query | key | value, as Hugging Face's {@code c_attn} stores them.
     */
    static Tensor fuseQkv(Tensor q, Tensor k, Tensor v) {
        if (!Arrays.equals(q.shape(), k.shape()) || !Arrays.equals(q.shape(), v.shape())) {
            throw new IllegalArgumentException("W_query " + q.shapeString() + ", W_key " + k.shapeString() + " and W_value "
                    + v.shapeString() + " differ in shape");
        }
        return Ops.concat(1, transpose(q), transpose(k), transpose(v));
    }

    /** A Linear weight [out, in] as a Conv1D weight [in, out] (a fresh copy). */
    private static Tensor transpose(Tensor w) {
        if (w.rank() != 2) throw new IllegalArgumentException("expected a 2-D weight, got shape " + w.shapeString());
        return Ops.transpose(w, 0, 1);
    }

    // ---- OpenAI's TensorFlow checkpoint ----

    private static StateDict fromTensorFlow(StateDict dict) {
        Source src = new Source(dict, Naming.TENSORFLOW);
        StateDict out = new StateDict();
        out.put("wte.weight", src.take("model/wte"));
        out.put("wpe.weight", src.take("model/wpe"));
        int layers = src.layers(TF_BLOCK);
        for (int i = 0; i < layers; i++) {
            String b = "model/h" + i + "/", h = "h." + i + ".";
            out.put(h + "ln_1.weight", src.take(b + "ln_1/g"));
            out.put(h + "ln_1.bias", src.take(b + "ln_1/b"));
            conv1d(src, b + "attn/c_attn", out, h + "attn.c_attn");
            conv1d(src, b + "attn/c_proj", out, h + "attn.c_proj");
            out.put(h + "ln_2.weight", src.take(b + "ln_2/g"));
            out.put(h + "ln_2.bias", src.take(b + "ln_2/b"));
            conv1d(src, b + "mlp/c_fc", out, h + "mlp.c_fc");
            conv1d(src, b + "mlp/c_proj", out, h + "mlp.c_proj");
        }
        out.put("ln_f.weight", src.take("model/ln_f/g"));
        out.put("ln_f.bias", src.take("model/ln_f/b"));
        src.rejectLeftovers();
        return out;
    }

    /** OpenAI stores a Conv1D weight {@code w} as [1, in, out] (drop the 1) beside its bias {@code b}. */
    private static void conv1d(Source src, String from, StateDict out, String to) {
        Tensor w = src.take(from + "/w");
        if (w.rank() != 3 || w.dim(0) != 1) {
            throw new IllegalArgumentException("tensor '" + from + "/w' has shape " + w.shapeString() + ", expected [1, in, out]");
        }
        out.put(to + ".weight", Tensor.of(w.data(), w.dim(1), w.dim(2)));
        out.put(to + ".bias", src.take(from + "/b"));
    }

    /** The source tensors of a conversion, remembering which were used so that none is silently dropped. */
    private static final class Source {
        private final StateDict dict;
        private final Naming naming;
        private final Set<String> used = new HashSet<>();

        Source(StateDict dict, Naming naming) {
            this.dict = dict;
            this.naming = naming;
        }

        Tensor take(String name) {
            Tensor t = dict.get(name);
            if (t == null) throw new IllegalArgumentException("missing tensor '" + name + "' in a " + naming + " checkpoint");
            used.add(name);
            return t;
        }

        boolean has(String name) {
            return dict.contains(name);
        }

        /** Blocks are numbered 0..n-1; n is one past the highest index any name carries. */
        int layers(Pattern block) {
            int n = 0;
            for (String name : dict.names()) {
                Matcher m = block.matcher(name);
                if (m.matches()) n = Math.max(n, Integer.parseInt(m.group(1)) + 1);
            }
            return n;
        }

        void rejectLeftovers() {
            for (String name : dict.names()) {
                if (!used.contains(name) && !isBuffer(name)) {
                    throw new IllegalArgumentException("unexpected tensor '" + name + "' in a " + naming + " checkpoint");
                }
            }
        }
    }
}
