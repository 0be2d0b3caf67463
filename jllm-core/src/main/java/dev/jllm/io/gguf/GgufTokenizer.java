package dev.jllm.io.gguf;

import dev.jllm.tokenizer.GgmlVocabulary;
import dev.jllm.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tokenizer and chat template a GGUF file carries in its metadata ({@code tokenizer.ggml.*},
 * {@code tokenizer.chat_template}), as llama.cpp's converter writes them:
 *
 * <pre>
 * tokenizer.ggml.model        "gpt2" (byte-level BPE) or "llama" (SentencePiece)
 * tokenizer.ggml.pre          the gpt2 kind's pre-tokenizer: "llama-bpe", "qwen2", "gpt-2"...
 * tokenizer.ggml.tokens       [string] by id        tokenizer.ggml.token_type  [int32] by id (1 normal ... 6 byte)
 * tokenizer.ggml.scores       [float32] by id (llama kind)   tokenizer.ggml.merges  [string] "left right" (gpt2 kind)
 * tokenizer.ggml.bos_token_id, eos_token_id, eot_token_id, eom_token_id, unknown_token_id, padding_token_id  uint32
 * tokenizer.ggml.add_bos_token, add_eos_token, add_space_prefix   bool
 * </pre>
 */
public final class GgufTokenizer {
    private GgufTokenizer() {}

    /** Whether the file has a tokenizer. */
    public static boolean isIn(GgufFile f) {
        return f.has("tokenizer.ggml.model") && f.has("tokenizer.ggml.tokens");
    }

    /**
     * The file's tokenizer: GPT-2's own ({@link GgufGpt2#tokenizer}) for the gpt2 kind with GPT-2's pre-tokenizer in
     * a gpt2 model, else the {@link GgmlVocabulary} tokenizer.
     */
    public static Tokenizer read(GgufFile f) {
        String model = f.string("tokenizer.ggml.model");
        String pre = f.string("tokenizer.ggml.pre", null);
        if (model.equals("gpt2") && f.architecture().equals(GgufGpt2.ARCHITECTURE) && (pre == null || pre.equals("gpt-2"))) {
            return GgufGpt2.tokenizer(f);
        }
        try {
            return vocabulary(f).tokenizer();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(f.file().toString())) throw e;
            throw GgufFile.error(f.file(), e.getMessage());
        }
    }

    /** The {@code tokenizer.ggml.*} metadata, checked. */
    public static GgmlVocabulary vocabulary(GgufFile f) {
        String model = f.string("tokenizer.ggml.model");
        String[] tokens = f.strings("tokenizer.ggml.tokens");
        float[] scores = f.has("tokenizer.ggml.scores") ? f.floats("tokenizer.ggml.scores") : null;
        int[] types = null;
        if (f.has("tokenizer.ggml.token_type")) {
            long[] t = f.integers("tokenizer.ggml.token_type");
            types = new int[t.length];
            for (int i = 0; i < t.length; i++) {
                if (t[i] < 1 || t[i] > 6) throw GgufFile.error(f.file(), "token " + i + " has unknown type " + t[i]);
                types[i] = (int) t[i];
            }
        }
        List<String> merges = f.has("tokenizer.ggml.merges") ? Arrays.asList(f.strings("tokenizer.ggml.merges")) : null;
        int eos = id(f, "eos", tokens.length); // else the end of turn (a file that names only that)
        return new GgmlVocabulary(model, f.string("tokenizer.ggml.pre", null), tokens, scores, types, merges,
                id(f, "bos", tokens.length), eos >= 0 ? eos : id(f, "eot", tokens.length), id(f, "unknown", tokens.length),
                f.bool("tokenizer.ggml.add_bos_token", model.equals("llama")), f.bool("tokenizer.ggml.add_eos_token", false),
                f.bool("tokenizer.ggml.add_space_prefix", model.equals("llama")));
    }

    /** Puts {@code v} into {@code w} as {@code tokenizer.ggml.*} metadata, and {@code chatTemplate} when not null. */
    public static void write(GgufWriter w, GgmlVocabulary v, String chatTemplate) {
        w.put("tokenizer.ggml.model", GgufValue.of(v.model()));
        if (v.pre() != null) w.put("tokenizer.ggml.pre", GgufValue.of(v.pre()));
        w.put("tokenizer.ggml.tokens", GgufValue.strings(v.tokens()));
        if (v.scores() != null) w.put("tokenizer.ggml.scores", GgufValue.floats(v.scores()));
        if (v.types() != null) w.put("tokenizer.ggml.token_type", GgufValue.int32s(Arrays.stream(v.types()).asLongStream().toArray()));
        if (v.merges() != null) w.put("tokenizer.ggml.merges", GgufValue.strings(v.merges().toArray(String[]::new)));
        if (v.bosId() >= 0) w.put("tokenizer.ggml.bos_token_id", GgufValue.uint32(v.bosId()));
        if (v.eosId() >= 0) w.put("tokenizer.ggml.eos_token_id", GgufValue.uint32(v.eosId()));
        if (v.unknownId() >= 0) w.put("tokenizer.ggml.unknown_token_id", GgufValue.uint32(v.unknownId()));
        w.put("tokenizer.ggml.add_bos_token", GgufValue.bool(v.addBos()));
        w.put("tokenizer.ggml.add_eos_token", GgufValue.bool(v.addEos()));
        if (v.model().equals("llama")) w.put("tokenizer.ggml.add_space_prefix", GgufValue.bool(v.addSpacePrefix()));
        if (chatTemplate != null) w.put("tokenizer.chat_template", GgufValue.of(chatTemplate));
    }

    /** {@code tokenizer.ggml.NAME_token_id}, or -1 when absent; an id outside the vocabulary is an error. */
    private static int id(GgufFile f, String name, int vocab) {
        String key = "tokenizer.ggml." + name + "_token_id";
        long id = f.integer(key, -1);
        if (id < -1 || id >= vocab) throw GgufFile.error(f.file(), key + " = " + id + " is outside the " + vocab + " tokens");
        return (int) id;
    }

    /** The file's chat template ({@code tokenizer.chat_template}), or null. */
    public static String chatTemplate(GgufFile f) {
        return f.string("tokenizer.chat_template", null);
    }

    /**
     * The special tokens a chat template reads as variables ({@code bos_token} → {@code "<bos>"}...), from the ids the
     * file names.
     */
    public static Map<String, String> templateTokens(GgufFile f) {
        String[] tokens = f.strings("tokenizer.ggml.tokens");
        Map<String, String> out = new LinkedHashMap<>();
        for (String[] k : new String[][] {{"bos_token", "bos"}, {"eos_token", "eos"}, {"unk_token", "unknown"},
                {"sep_token", "seperator"}, {"pad_token", "padding"}, {"mask_token", "mask"}}) {
            int id = id(f, k[1], tokens.length);
            if (id >= 0) out.put(k[0], tokens[id]);
        }
        return out;
    }
}
