package dev.jllm.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.io.JsonFile;
import dev.jllm.io.gguf.GgufFile;
import dev.jllm.io.gguf.GgufTokenizer;
import dev.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model's chat template: the Jinja {@code chat_template} of its {@code tokenizer_config.json}, rendered as
 * transformers' {@code apply_chat_template} renders it, with the special tokens the config names
 * ({@code bos_token}, {@code eos_token}...) as variables.
 */
public final class ChatTemplate {
    /** Tokens that end a turn or the text in the families jllm knows (generation stops at any of them). */
    private static final List<String> END_TOKENS = List.of("<|eot_id|>", "<|eom_id|>", "<|end_of_text|>", "<|im_end|>",
            "<|endoftext|>", "<end_of_turn>", "<eos>", "</s>");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final JinjaTemplate template;
    private final Map<String, Object> specialTokens;

    private ChatTemplate(JinjaTemplate template, Map<String, Object> specialTokens) {
        this.template = template;
        this.specialTokens = specialTokens;
    }

    /** A template from its source, with the special tokens the config names (e.g. bos_token → "<bos>"). */
    public static ChatTemplate of(String source, Map<String, String> specialTokens) {
        return new ChatTemplate(JinjaTemplate.parse(source), new LinkedHashMap<>(specialTokens));
    }

    /** Whether {@code dir/tokenizer_config.json} holds a chat template. */
    public static boolean isIn(Path dir) {
        Path config = dir.resolve("tokenizer_config.json");
        if (!Files.isRegularFile(config)) return false;
        try {
            return new ObjectMapper().readTree(config.toFile()).hasNonNull("chat_template");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The chat template of the model at {@code model}: a GGUF file's {@code tokenizer.chat_template} (with the special
     * tokens its metadata names), else its folder's {@code tokenizer_config.json}; null when it has none.
     */
    public static ChatTemplate find(Path model) throws IOException {
        if (GgufFile.isGguf(model)) {
            try (GgufFile f = GgufFile.open(model)) {
                String source = GgufTokenizer.chatTemplate(f);
                if (source == null) return null;
                try {
                    return of(source, GgufTokenizer.templateTokens(f));
                } catch (TemplateException e) {
                    throw new IllegalArgumentException(model + ": tokenizer.chat_template: " + e.getMessage());
                }
            }
        }
        Path folder = Files.isDirectory(model) ? model : model.toAbsolutePath().getParent();
        return isIn(folder) ? load(folder) : null;
    }

    /** The Jinja source of the chat template of {@code dir/tokenizer_config.json}; one line when there is none. */
    public static String source(Path dir) {
        Path file = dir.resolve("tokenizer_config.json");
        return source(file, JsonFile.read(file));
    }

    private static String source(Path file, JsonNode config) {
        JsonNode t = config.get("chat_template");
        String source = null;
        if (t != null && t.isTextual()) source = t.asText();
        if (t != null && t.isArray()) { // [{"name": "default", "template": ...}, ...]
            for (JsonNode named : t) if (named.path("name").asText().equals("default")) source = named.path("template").asText();
        }
        if (source == null) throw new IllegalArgumentException(file + ": has no chat_template");
        return source;
    }

    /** Reads the chat template of {@code dir/tokenizer_config.json}; one line when it is missing or invalid. */
    public static ChatTemplate load(Path dir) {
        Path file = dir.resolve("tokenizer_config.json");
        JsonNode config = JsonFile.read(file);
        String source = source(file, config);
        Map<String, String> specials = new LinkedHashMap<>();
        for (String key : List.of("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token")) {
            JsonNode v = config.get(key);
            String name = v == null || v.isNull() ? null : v.isTextual() ? v.asText() : v.path("content").asText(null);
            if (name != null) specials.put(key, name);
        }
        try {
            return of(source, specials);
        } catch (TemplateException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    /**
     * Renders a conversation: {@code messages} are maps with at least a string {@code role} and a
     * {@code content}; {@code enableThinking} null leaves the variable undefined (the template's default).
     */
    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt, Boolean enableThinking) {
        Map<String, Object> vars = new LinkedHashMap<>(specialTokens);
        vars.put("messages", messages);
        vars.put("tools", null);
        vars.put("documents", null);
        vars.put("add_generation_prompt", addGenerationPrompt);
        if (enableThinking != null) vars.put("enable_thinking", enableThinking);
        return template.render(vars);
    }

    /** One message. */
    public static Map<String, Object> message(String role, String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }

    /**
     * Reads a conversation file: a JSON list of {@code {"role": ..., "content": ...}} objects (other fields kept), or
     * an object with such a list under {@code "messages"}; anything else is one line naming the file and the problem.
     */
    public static List<Map<String, Object>> readMessages(Path file) {
        JsonNode root = JsonFile.read(file);
        if (root != null && root.isObject() && root.has("messages")) root = root.get("messages");
        return messages(root, file.toString());
    }

    /**
     * The messages of a JSON list of {@code {"role": ..., "content": ...}} objects (other fields kept); anything else
     * is one line starting with {@code where} (a file, or a file and an entry).
     */
    public static List<Map<String, Object>> messages(JsonNode list, String where) {
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new IllegalArgumentException(where + ": expected a non-empty JSON list of {\"role\", \"content\"} messages");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode m = list.get(i);
            if (!m.isObject() || !m.path("role").isTextual()) {
                throw new IllegalArgumentException(where + ": message " + (i + 1) + " has no string \"role\"");
            }
            JsonNode content = m.get("content");
            if (content == null || !(content.isTextual() || content.isArray())) {
                throw new IllegalArgumentException(where + ": message " + (i + 1) + " (" + m.get("role").asText()
                        + ") has no \"content\" string or list");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> map = MAPPER.convertValue(m, LinkedHashMap.class);
            out.add(map);
        }
        return out;
    }

    /** The ids that end a turn for this tokenizer: its EOS and the end-of-turn tokens it has. */
    public static Set<Integer> endIds(Tokenizer tokenizer) {
        Set<Integer> ids = new LinkedHashSet<>();
        try {
            ids.add(tokenizer.eotId());
        } catch (IllegalStateException | IllegalArgumentException e) {
            // no EOS named: the end-of-turn tokens below
        }
        for (String t : END_TOKENS) {
            Integer id = tokenizer.specialTokens().get(t);
            if (id != null) ids.add(id);
        }
        return ids;
    }
}
