package dev.jllm.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.model.GptConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@link GptConfig} to and from JSON, in the three spellings GPT-2 configs come in:
 * <ul>
 *   <li>Hugging Face's {@code config.json} ({@code n_embd}, {@code n_layer}, {@code n_head}, {@code n_positions},
 *       {@code vocab_size}, {@code tie_word_embeddings}, {@code resid_pdrop}, ...);</li>
 *   <li>OpenAI's {@code hparams.json} ({@code n_vocab}, {@code n_ctx}, {@code n_embd}, {@code n_head},
 *       {@code n_layer});</li>
 *   <li>the book's {@code GPT_CONFIG_124M} dictionary ({@code vocab_size}, {@code context_length}, {@code emb_dim},
 *       {@code n_heads}, {@code n_layers}, {@code drop_rate}, {@code qkv_bias}).</li>
 * </ul>
 * jllm writes Hugging Face's spelling, so that other GPT-2 tools read its models; a model without query/key/value
 * bias (which Hugging Face's GPT-2 cannot express) is marked with the extra key {@code qkv_bias: false}.
 */
public final class GptConfigJson {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Dropout GPT-2 was trained with, for configs that do not say. */
    static final float DEFAULT_DROP = 0.1f;
    private static final Set<String> GELU_TANH = Set.of("gelu_new", "gelu_pytorch_tanh", "gelu_fast");

    private GptConfigJson() {}

    public static GptConfig read(Path file) throws IOException {
        JsonNode root = readObject(file);
        try {
            return parse(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    /** The JSON object in {@code file}; malformed JSON or another value is an error naming the file. */
    static JsonNode readObject(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(TextFiles.read(file));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": malformed JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException(file + ": not a JSON object");
        return root;
    }

    /** A config from any of the three spellings, told apart by their keys. */
    public static GptConfig parse(JsonNode root) {
        if (root.has("emb_dim")) {
            return new GptConfig(integer(root, "vocab_size"), integer(root, "context_length"), integer(root, "emb_dim"),
                    integer(root, "n_heads"), integer(root, "n_layers"),
                    (float) root.path("drop_rate").asDouble(DEFAULT_DROP), root.path("qkv_bias").asBoolean(false),
                    false); // the book's GPTModel always has its own out_head
        }
        if (root.has("n_vocab")) { // OpenAI's hparams.json: the original GPT-2 has qkv bias and a tied head
            return new GptConfig(integer(root, "n_vocab"), integer(root, "n_ctx"), integer(root, "n_embd"),
                    integer(root, "n_head"), integer(root, "n_layer"), DEFAULT_DROP, true, true);
        }
        String type = root.path("model_type").asText("gpt2");
        if (!type.equals("gpt2")) throw new IllegalArgumentException("model_type '" + type + "' is not gpt2");
        String act = root.path("activation_function").asText("gelu_new");
        if (!GELU_TANH.contains(act)) {
            throw new IllegalArgumentException("activation_function '" + act + "' is not supported (jllm uses GELU's tanh"
                    + " approximation, gelu_new)");
        }
        double eps = root.path("layer_norm_epsilon").asDouble(1e-5);
        if (Math.abs(eps - 1e-5) > 1e-9) {
            throw new IllegalArgumentException("layer_norm_epsilon " + eps + " is not supported (jllm uses 1e-5)");
        }
        if (root.hasNonNull("n_inner") && root.get("n_inner").asInt() != 4 * integer(root, "n_embd")) {
            throw new IllegalArgumentException("n_inner " + root.get("n_inner") + " is not supported (jllm uses 4 * n_embd)");
        }
        int context = root.has("n_positions") ? integer(root, "n_positions") : integer(root, "n_ctx");
        return new GptConfig(integer(root, "vocab_size"), context, integer(root, "n_embd"), integer(root, "n_head"),
                integer(root, "n_layer"), (float) root.path("resid_pdrop").asDouble(DEFAULT_DROP),
                root.path("qkv_bias").asBoolean(true), root.path("tie_word_embeddings").asBoolean(true));
    }

    /** Writes {@code config} as a Hugging Face GPT-2 {@code config.json}, atomically. */
    public static void write(Path file, GptConfig config) throws IOException {
        write(file, config, java.util.Map.of());
    }

    /**
     * Writes {@code config} with further top-level fields (such as a run's {@code "training"} settings) in one
     * atomic step, so that no reader ever sees the config without them.
     */
    public static void write(Path file, GptConfig config, java.util.Map<String, ? extends JsonNode> extra)
            throws IOException {
        ObjectNode root = toJson(config);
        extra.forEach(root::set);
        AtomicFiles.writeString(file, JSON.writeValueAsString(root) + "\n");
    }

    static ObjectNode toJson(GptConfig c) {
        ObjectNode root = JSON.createObjectNode();
        root.putArray("architectures").add("GPT2LMHeadModel");
        root.put("model_type", "gpt2");
        root.put("vocab_size", c.vocabSize());
        root.put("n_positions", c.contextLength());
        root.put("n_ctx", c.contextLength());
        root.put("n_embd", c.embDim());
        root.put("n_layer", c.nLayers());
        root.put("n_head", c.nHeads());
        root.putNull("n_inner");
        root.put("activation_function", "gelu_new");
        root.put("resid_pdrop", c.dropRate());
        root.put("embd_pdrop", c.dropRate());
        root.put("attn_pdrop", c.dropRate());
        root.put("layer_norm_epsilon", 1e-5);
        root.put("initializer_range", 0.02);
        root.put("tie_word_embeddings", c.tiedHead());
        if (!c.qkvBias()) root.put("qkv_bias", false);
        if (c.vocabSize() == GptConfig.GPT2_VOCAB) { // GPT-2's <|endoftext|>
            root.put("bos_token_id", GptConfig.GPT2_VOCAB - 1);
            root.put("eos_token_id", GptConfig.GPT2_VOCAB - 1);
        }
        root.put("torch_dtype", "float32");
        return root;
    }

    static int integer(JsonNode root, String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) throw new IllegalArgumentException("missing '" + key + "'");
        if (!n.isIntegralNumber() || !n.canConvertToInt()) throw new IllegalArgumentException("'" + key + "' is not an integer: " + n);
        return n.asInt();
    }
}
