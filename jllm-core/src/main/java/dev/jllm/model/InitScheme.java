package dev.jllm.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a new model's weights are drawn: {@link #GPT2} as OpenAI's GPT-2 and nanoGPT do it, or {@link #PYTORCH},
 * PyTorch's default initialisation of {@code nn.Embedding} and {@code nn.Linear}, which is what the book's
 * {@code GPTModel} gets because it draws nothing itself.
 */
public enum InitScheme {
    /** Normal with std 0.02, residual projections scaled by 1/√(2·layers), biases 0 (see {@link GptInit}). */
    GPT2,
    /** Embeddings N(0, 1); Linear weights and biases uniform in ±1/√fan_in (see {@link GptInit}). */
    PYTORCH;

    /** The name used on the command line and in config files: "gpt2" or "pytorch". */
    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The scheme called {@code id} ("gpt2" or "pytorch"). */
    @JsonCreator
    public static InitScheme of(String id) {
        for (InitScheme s : values()) {
            if (s.id().equals(id)) return s;
        }
        throw new IllegalArgumentException("unknown weight initialisation \"" + id + "\"; expected one of "
                + Arrays.stream(values()).map(InitScheme::id).collect(Collectors.joining(", ")));
    }
}
