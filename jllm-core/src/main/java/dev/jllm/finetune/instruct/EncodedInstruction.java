package dev.jllm.finetune.instruct;

import dev.jllm.prompt.InstructionExample;
import dev.jllm.prompt.PromptFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A tokenized training text (prompt, response header, response) and how many of its first tokens are the prompt.
 *
 * @param tokens       ids of {@code format.withResponse(entry, entry.output())}
 * @param promptLength number of ids of {@code format.prompt(entry)} alone, used to mask the prompt
 */
public record EncodedInstruction(int[] tokens, int promptLength) {

    /** The book's {@code InstructionDataset}: every entry encoded in the given format. */
    public static List<EncodedInstruction> encode(List<InstructionExample> data, PromptFormat format,
                                                  Function<String, int[]> tokenizer) {
        List<EncodedInstruction> out = new ArrayList<>(data.size());
        for (InstructionExample e : data) {
            out.add(new EncodedInstruction(tokenizer.apply(format.withResponse(e, e.output())),
                    tokenizer.apply(format.prompt(e)).length));
        }
        return out;
    }
}
