package dev.jllm.prompt;

/**
 * One entry of a preference dataset (the book's {@code instruction-data-with-preference.json}): an instruction with
 * a preferred ({@code chosen}) and a dispreferred ({@code rejected}) response.
 *
 * @param output the reference response, {@code ""} where the file has none
 */
public record PreferenceExample(String instruction, String input, String output, String chosen, String rejected)
        implements Instruction {}
