package dev.jllm.prompt;

/** What a prompt is made of: the task, and an optional input (empty when the task needs none). */
public interface Instruction {
    String instruction();

    /** The input the instruction refers to, or {@code ""}. */
    String input();
}
