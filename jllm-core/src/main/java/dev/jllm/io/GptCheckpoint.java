package dev.jllm.io;

import dev.jllm.model.GptConfig;
import java.nio.file.Path;

/**
 * A GPT-2 model as read from disk: its sizes and its weights under {@link GptNames canonical names}, already checked
 * against each other.
 *
 * @param config  the model's sizes
 * @param weights canonical name → tensor, in {@link GptNames#expectedShapes} order
 * @param source  the file the weights came from
 * @param naming  how that file named its tensors
 */
public record GptCheckpoint(GptConfig config, StateDict weights, Path source, GptNames.Naming naming) {}
