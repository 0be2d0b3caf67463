package dev.jllm.prompt;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How an instruction becomes model text: the one place that knows the prompt templates.
 *
 * <p>A training text is {@code prompt(entry) + responseHeader() + output}; at inference the model gets
 * {@code prompt(entry)} (as the book does) or {@code prompt(entry) + responseHeader()}, and
 * {@link #extractResponse} cuts its answer out of what it generated.
 */
public enum PromptFormat {
    /**
     * The book's Alpaca style: {@code Below is an instruction that describes a task. Write a response that
     * appropriately completes the request.\n\n### Instruction:\n{instruction}}, then {@code \n\n### Input:\n{input}}
     * only when the input is not empty, then {@code \n\n### Response:\n{output}}.
     */
    ALPACA("### Response:", "\n\n### Response:\n") {
        @Override
        public String prompt(Instruction e) {
            String text = "Below is an instruction that describes a task. "
                    + "Write a response that appropriately completes the request."
                    + "\n\n### Instruction:\n" + e.instruction();
            return e.input().isEmpty() ? text : text + "\n\n### Input:\n" + e.input();
        }
    },
    /** Phi-3 style: {@code <|user|>\n{instruction}} (plus {@code \n{input}} when not empty), then {@code \n<|assistant|>\n{output}}. */
    PHI3("<|assistant|>", "\n<|assistant|>\n") {
        @Override
        public String prompt(Instruction e) {
            String text = "<|user|>\n" + e.instruction();
            return e.input().isEmpty() ? text : text + "\n" + e.input();
        }
    };

    private final String marker;
    private final String responseHeader;

    PromptFormat(String marker, String responseHeader) {
        this.marker = marker;
        this.responseHeader = responseHeader;
    }

    /** The instruction and its input, without the response part (the book's {@code format_input}). */
    public abstract String prompt(Instruction e);

    /** What separates the prompt from the response, e.g. {@code "\n\n### Response:\n"}. */
    public String responseHeader() {
        return responseHeader;
    }

    /** The full text: prompt, response header, response. */
    public String withResponse(Instruction e, String response) {
        return prompt(e) + responseHeader + response;
    }

    /**
     * The response in a generated text: what follows the first {@code ### Response:} (or {@code <|assistant|>}),
     * stripped of surrounding whitespace; without that marker, the whole text stripped. Pass the model's
     * continuation of {@link #prompt} (the prompt itself holds no marker, so passing the full text works too).
     */
    public String extractResponse(String generated) {
        int at = generated.indexOf(marker);
        return (at < 0 ? generated : generated.substring(at + marker.length())).strip();
    }

    /** The name used on the command line: {@code alpaca} or {@code phi3}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A format by its command-line name ({@code alpaca|phi3}, any case). */
    public static PromptFormat named(String name) {
        for (PromptFormat f : values()) if (f.cliName().equalsIgnoreCase(name.strip())) return f;
        throw new IllegalArgumentException("unknown prompt format '" + name + "' (choose "
                + Arrays.stream(values()).map(PromptFormat::cliName).collect(Collectors.joining(" or ")) + ")");
    }
}
