package dev.jllm.finetune.instruct;

import dev.jllm.generate.GenerationOptions;
import dev.jllm.generate.Generator;
import dev.jllm.model.CausalLM;
import dev.jllm.prompt.ChatExample;
import dev.jllm.prompt.ChatFormat;
import dev.jllm.prompt.InstructionExample;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.prompt.ResponseExample;
import dev.jllm.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The book's last step of instruction finetuning (section 7.7): the model answers every test instruction, greedily
 * and up to the end token, and its answer is what follows the response header.
 */
public final class TestResponses {
    private TestResponses() {}

    /**
     * One response per entry: the model continues {@code format.prompt(entry)} (as the book feeds
     * {@code format_input(entry)}), and {@link PromptFormat#extractResponse} cuts the answer out.
     *
     * @param done receives the number of entries answered so far
     */
    public static List<ResponseExample> generate(CausalLM model, Tokenizer tokenizer, PromptFormat format,
                                                 List<? extends InstructionExample> entries, int maxNewTokens,
                                                 IntConsumer done) {
        GenerationOptions options = GenerationOptions.greedy(maxNewTokens).withEndId(tokenizer.eotId());
        Generator generator = new Generator(model, warning -> {});
        List<ResponseExample> out = new ArrayList<>(entries.size());
        for (InstructionExample e : entries) {
            int[] continuation = generator.generate(tokenizer.encode(format.prompt(e)), options);
            String response = format.extractResponse(tokenizer.decode(continuation));
            out.add(new ResponseExample(e.instruction(), e.input(), e.output(), response));
            done.accept(out.size());
        }
        return out;
    }

    /**
     * One response per conversation in a model's chat template: the model answers the messages before the last reply
     * (with the generation prompt, without thinking), greedily up to an end-of-turn token (any of
     * {@link ChatFormat#endIds}); the reference is that last reply, and the instruction is the last user message.
     *
     * @param done receives the number of entries answered so far
     */
    public static List<ResponseExample> generate(CausalLM model, ChatFormat chat, List<ChatExample> entries,
                                                 int maxNewTokens, IntConsumer done) {
        GenerationOptions options = GenerationOptions.greedy(maxNewTokens);
        Generator generator = new Generator(model, warning -> {});
        List<ResponseExample> out = new ArrayList<>(entries.size());
        for (ChatExample e : entries) {
            int[] continuation = generator.generate(chat.promptIds(e.context()), options,
                    id -> !chat.endIds().contains(id));
            out.add(new ResponseExample(e.lastUserText(), "", e.reply(), chat.replyText(continuation)));
            done.accept(out.size());
        }
        return out;
    }
}
