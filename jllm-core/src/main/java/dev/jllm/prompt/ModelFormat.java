package dev.jllm.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.io.ModelFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The prompt format an instruction-tuned model was trained with, as its run folder records it: the string
 * {@code training.format} in {@code config.json} ({@code "alpaca"} or {@code "phi3"}, or {@code "chat"} for the
 * model's own chat template, {@link ChatFormat}). A model without it (a pretrained GPT-2) has no format: it continues
 * text.
 */
public final class ModelFormat {
    private ModelFormat() {}

    /** The key, under {@code "training"} in config.json. */
    public static final String KEY = "format";

    /**
     * The book's format recorded in {@code model}'s config.json (a folder, or a file in one), if any; empty also for a
     * model trained in its chat template (see {@link #isChat}).
     */
    public static Optional<PromptFormat> read(Path model) {
        return name(model).filter(name -> !name.equals(ChatFormat.NAME)).map(PromptFormat::named);
    }

    /** Whether {@code model}'s config.json records training in the model's chat template. */
    public static boolean isChat(Path model) {
        return name(model).filter(ChatFormat.NAME::equals).isPresent();
    }

    /** The recorded format's name, checked: a {@link PromptFormat}'s or {@link ChatFormat#NAME}. */
    private static Optional<String> name(Path model) {
        Path dir = Files.isDirectory(model) ? model : model.toAbsolutePath().getParent();
        Path config = dir.resolve(ModelFiles.CONFIG);
        if (!Files.isRegularFile(config)) return Optional.empty();
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(config.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(config + ": cannot read: " + e.getMessage(), e);
        }
        JsonNode format = root == null ? null : root.path("training").get(KEY);
        if (format == null || format.isNull()) return Optional.empty();
        if (!format.isTextual()) throw new IllegalArgumentException(config + ": training.format is not a string");
        if (format.textValue().equals(ChatFormat.NAME)) return Optional.of(ChatFormat.NAME);
        try {
            return Optional.of(PromptFormat.named(format.textValue()).cliName());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(config + ": " + e.getMessage());
        }
    }
}
