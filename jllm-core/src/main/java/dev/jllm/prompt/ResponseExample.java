package dev.jllm.prompt;

/**
 * An instruction with its reference output and the response a model gave, as in the book's
 * {@code instruction-data-with-response.json} (the model's answer under the key {@code model_response}).
 */
public record ResponseExample(String instruction, String input, String output, String modelResponse)
        implements Instruction {}
