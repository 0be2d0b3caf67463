package dev.jllm.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The tokens that end generation as a Hugging Face model folder states them: {@code eos_token_id} of
 * {@code generation_config.json} (what transformers' {@code generate} stops at), then of {@code config.json}; each
 * is one id or a list of ids (Llama 3.2 Instruct: {@code [128001, 128008, 128009]}, Qwen3:
 * {@code [151645, 151643]}).
 */
public final class EndTokenIds {
    private EndTokenIds() {}

    public static final String GENERATION_CONFIG = "generation_config.json";

    /** The ids of both files, generation_config.json's first, in their order; empty when neither names any. */
    public static Set<Integer> read(Path dir) {
        Set<Integer> ids = new LinkedHashSet<>();
        for (String name : new String[] {GENERATION_CONFIG, ModelFiles.CONFIG}) {
            Path file = dir.resolve(name);
            if (Files.isRegularFile(file)) ids.addAll(of(file, JsonFile.read(file).path("eos_token_id")));
        }
        return ids;
    }

    /** An {@code eos_token_id} value: absent or null (none), an id, or a list of ids. */
    static Set<Integer> of(Path file, JsonNode value) {
        Set<Integer> ids = new LinkedHashSet<>();
        if (value.isMissingNode() || value.isNull()) return ids;
        if (value.isArray()) {
            for (JsonNode v : value) ids.add(id(file, v));
        } else {
            ids.add(id(file, value));
        }
        return ids;
    }

    private static int id(Path file, JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
            throw new IllegalArgumentException(file + ": eos_token_id must be a token id or a list of them, not " + v);
        }
        return v.asInt();
    }
}
