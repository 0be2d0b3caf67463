package dev.jllm.prompt;

/** One entry of an instruction dataset such as the book's {@code instruction-data.json} or Stanford Alpaca. */
public record InstructionExample(String instruction, String input, String output) implements Instruction {}
