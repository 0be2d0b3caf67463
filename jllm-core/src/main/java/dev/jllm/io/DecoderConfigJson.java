package dev.jllm.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.model.DecoderConfig;
import dev.jllm.model.DecoderConfig.Family;
import dev.jllm.model.DecoderConfig.Rope;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link DecoderConfig} to and from a Hugging Face {@code config.json} of {@code model_type} llama, qwen3 or
 * gemma3_text. Reads both spellings of the rotary settings: the published one ({@code rope_theta},
 * {@code rope_scaling}, Gemma's {@code rope_local_base_freq} and {@code sliding_window_pattern}) and
 * transformers 5's {@code rope_parameters} (for Gemma, one entry per layer type). Writes the published spelling,
 * which both old and new transformers read. A setting jllm does not implement is an error, never ignored.
 */
public final class DecoderConfigJson {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DecoderConfigJson() {}

    /** The {@code model_type} of a config.json, "gpt2" when it has none (GPT-2's own files). */
    public static String modelType(Path file) throws IOException {
        return GptConfigJson.readObject(file).path("model_type").asText("gpt2");
    }

    public static DecoderConfig read(Path file) throws IOException {
        JsonNode root = GptConfigJson.readObject(file);
        try {
            return parse(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    public static DecoderConfig parse(JsonNode root) {
        Family family = Family.of(root.path("model_type").asText(""));
        boolean gemma = family == Family.GEMMA3;
        int hidden = GptConfigJson.integer(root, "hidden_size"), heads = GptConfigJson.integer(root, "num_attention_heads");
        int layers = GptConfigJson.integer(root, "num_hidden_layers");
        int kvHeads = root.hasNonNull("num_key_value_heads") ? GptConfigJson.integer(root, "num_key_value_heads") : heads;
        int headDim = root.hasNonNull("head_dim") ? GptConfigJson.integer(root, "head_dim") : hidden / heads;
        String act = root.path(gemma ? "hidden_activation" : "hidden_act").asText(gemma ? "gelu_pytorch_tanh" : "silu");
        String wantAct = gemma ? "gelu_pytorch_tanh" : "silu";
        if (!act.equals(wantAct)) {
            throw new IllegalArgumentException("activation '" + act + "' is not supported for " + family.modelType
                    + " (jllm uses " + wantAct + ")");
        }
        if (root.path("mlp_bias").asBoolean(false)) throw new IllegalArgumentException("mlp_bias is not supported");
        if (root.hasNonNull("attn_logit_softcapping")) {
            throw new IllegalArgumentException("attn_logit_softcapping is not supported");
        }
        if (root.path("use_bidirectional_attention").asBoolean(false)) {
            throw new IllegalArgumentException("use_bidirectional_attention is not supported");
        }
        if (family == Family.QWEN3 && root.path("use_sliding_window").asBoolean(false)) {
            throw new IllegalArgumentException("use_sliding_window is not supported for qwen3");
        }
        Rope rope, localRope = null;
        JsonNode params = root.get("rope_parameters");
        if (params != null && params.isObject() && params.has("full_attention")) {
            rope = rope(params.get("full_attention"), 1e6);
            localRope = params.has("sliding_attention") ? rope(params.get("sliding_attention"), 1e4) : null;
        } else if (params != null && params.isObject()) {
            rope = rope(params, gemma ? 1e6 : 10000);
        } else {
            double theta = root.path("rope_theta").asDouble(gemma ? 1e6 : 10000);
            JsonNode scaling = root.get("rope_scaling");
            rope = scaling == null || scaling.isNull() ? Rope.plain(theta) : rope(withTheta(scaling, theta), theta);
        }
        if (gemma && localRope == null) localRope = Rope.plain(root.path("rope_local_base_freq").asDouble(10000));
        int window = 0;
        List<Boolean> sliding = DecoderConfig.none(layers);
        if (gemma) {
            window = GptConfigJson.integer(root, "sliding_window");
            JsonNode types = root.get("layer_types");
            if (types != null && types.isArray()) {
                sliding = new ArrayList<>();
                for (JsonNode t : types) {
                    String type = t.asText();
                    if (!type.equals("sliding_attention") && !type.equals("full_attention")) {
                        throw new IllegalArgumentException("unknown layer type '" + type + "'");
                    }
                    sliding.add(type.equals("sliding_attention"));
                }
            } else {
                sliding = DecoderConfig.pattern(layers, root.path("sliding_window_pattern").asInt(6));
            }
        }
        float scalar = gemma ? (float) root.path("query_pre_attn_scalar").asDouble(256) : headDim;
        float softcap = (float) root.path("final_logit_softcapping").asDouble(0);
        boolean tied = root.path("tie_word_embeddings").asBoolean(gemma);
        List<Integer> eos = new ArrayList<>();
        JsonNode e = root.get("eos_token_id");
        if (e != null && e.isArray()) e.forEach(n -> eos.add(n.asInt()));
        else if (e != null && e.isIntegralNumber()) eos.add(e.asInt());
        int bos = root.hasNonNull("bos_token_id") ? root.get("bos_token_id").asInt() : -1;
        return new DecoderConfig(family, GptConfigJson.integer(root, "vocab_size"), hidden, GptConfigJson.integer(root, "intermediate_size"), layers,
                heads, kvHeads, headDim, GptConfigJson.integer(root, "max_position_embeddings"),
                (float) root.path("rms_norm_eps").asDouble(1e-6), rope, localRope, scalar, window, sliding, tied,
                root.path("attention_bias").asBoolean(false), softcap, bos, eos,
                root.hasNonNull("pad_token_id") ? root.get("pad_token_id").asInt() : -1);
    }

    private static JsonNode withTheta(JsonNode scaling, double theta) {
        ObjectNode copy = ((ObjectNode) scaling).deepCopy();
        copy.put("rope_theta", theta);
        return copy;
    }

    private static Rope rope(JsonNode n, double defaultTheta) {
        String type = n.has("rope_type") ? n.get("rope_type").asText() : n.path("type").asText("default");
        double theta = n.path("rope_theta").asDouble(defaultTheta);
        return switch (type) {
            case "default" -> Rope.plain(theta);
            case "linear" -> new Rope(theta, type, n.path("factor").asDouble(), 0, 0, 0);
            case "llama3" -> new Rope(theta, type, n.path("factor").asDouble(), n.path("low_freq_factor").asDouble(),
                    n.path("high_freq_factor").asDouble(), n.path("original_max_position_embeddings").asInt());
            default -> throw new IllegalArgumentException("rope type '" + type + "' is not supported (jllm knows"
                    + " default, linear and llama3)");
        };
    }

    /** Writes {@code config} as a Hugging Face config.json, atomically. */
    public static void write(Path file, DecoderConfig config, String dtype) throws IOException {
        AtomicFiles.writeString(file, JSON.writeValueAsString(toJson(config, dtype)) + "\n");
    }

    static ObjectNode toJson(DecoderConfig c, String dtype) {
        ObjectNode root = JSON.createObjectNode();
        boolean gemma = c.family() == Family.GEMMA3;
        root.putArray("architectures").add(switch (c.family()) {
            case LLAMA -> "LlamaForCausalLM";
            case QWEN3 -> "Qwen3ForCausalLM";
            case GEMMA3 -> "Gemma3ForCausalLM";
        });
        root.put("model_type", c.family().modelType);
        root.put("vocab_size", c.vocabSize());
        root.put("hidden_size", c.hiddenSize());
        root.put("intermediate_size", c.intermediateSize());
        root.put("num_hidden_layers", c.nLayers());
        root.put("num_attention_heads", c.nHeads());
        root.put("num_key_value_heads", c.nKvHeads());
        root.put("head_dim", c.headDim());
        root.put("max_position_embeddings", c.maxPositions());
        root.put("rms_norm_eps", c.rmsEps());
        root.put(gemma ? "hidden_activation" : "hidden_act", gemma ? "gelu_pytorch_tanh" : "silu");
        root.put("rope_theta", c.rope().theta());
        if (c.rope().type().equals("default")) {
            root.putNull("rope_scaling");
        } else {
            ObjectNode s = root.putObject("rope_scaling");
            s.put("rope_type", c.rope().type());
            s.put("factor", c.rope().factor());
            if (c.rope().type().equals("llama3")) {
                s.put("low_freq_factor", c.rope().lowFreqFactor());
                s.put("high_freq_factor", c.rope().highFreqFactor());
                s.put("original_max_position_embeddings", c.rope().originalMaxPositions());
            }
        }
        if (gemma) {
            root.put("rope_local_base_freq", c.localRope().theta());
            float scalar = c.queryPreAttnScalar(); // an int in published configs (transformers checks its type)
            if (scalar == Math.rint(scalar)) root.put("query_pre_attn_scalar", (int) scalar);
            else root.put("query_pre_attn_scalar", scalar);
            root.put("sliding_window", c.slidingWindow());
            ArrayNode types = root.putArray("layer_types");
            for (boolean s : c.slidingLayers()) types.add(s ? "sliding_attention" : "full_attention");
            if (c.finalLogitSoftcap() > 0) root.put("final_logit_softcapping", c.finalLogitSoftcap());
            else root.putNull("final_logit_softcapping");
            root.putNull("attn_logit_softcapping");
        }
        if (c.family() == Family.QWEN3) root.put("use_sliding_window", false);
        root.put("attention_bias", c.attentionBias());
        root.put("attention_dropout", 0.0);
        root.put("tie_word_embeddings", c.tiedHead());
        if (c.bosId() >= 0) root.put("bos_token_id", c.bosId());
        if (c.eosIds().size() == 1) root.put("eos_token_id", c.eosIds().getFirst());
        else if (!c.eosIds().isEmpty()) c.eosIds().forEach(root.putArray("eos_token_id")::add);
        if (c.padId() >= 0) root.put("pad_token_id", c.padId());
        root.put("torch_dtype", dtype);
        return root;
    }
}
