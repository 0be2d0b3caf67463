package dev.jllm.download;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** OpenAI's four GPT-2 checkpoints, by parameter count, and their Hugging Face repositories. */
public enum Gpt2Size {
    S124M("124M", "openai-community/gpt2"),
    S355M("355M", "openai-community/gpt2-medium"),
    S774M("774M", "openai-community/gpt2-large"),
    S1558M("1558M", "openai-community/gpt2-xl");

    private final String label;
    private final String repository;

    Gpt2Size(String label, String repository) {
        this.label = label;
        this.repository = repository;
    }

    /** "124M", "355M", ... */
    public String label() {
        return label;
    }

    /** The Hugging Face repository id, e.g. {@code openai-community/gpt2}. */
    public String repository() {
        return repository;
    }

    /** The cache name, e.g. {@code gpt2-124M}. */
    public String modelName() {
        return "gpt2-" + label;
    }

    /** The size for a label such as "124M" (case-insensitive). */
    public static Gpt2Size of(String label) {
        return Arrays.stream(values()).filter(s -> s.label.equalsIgnoreCase(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown GPT-2 size '" + label + "' (choose one of "
                        + String.join(", ", Arrays.stream(values()).map(Gpt2Size::label).toList()) + ")"));
    }

    static Optional<Gpt2Size> fromModelName(String name) {
        return Arrays.stream(values()).filter(s -> s.modelName().equalsIgnoreCase(name)).findFirst();
    }

    static List<String> modelNames() {
        return Arrays.stream(values()).map(Gpt2Size::modelName).toList();
    }
}
