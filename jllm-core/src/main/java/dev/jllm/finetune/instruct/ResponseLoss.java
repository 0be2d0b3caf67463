package dev.jllm.finetune.instruct;

import dev.jllm.data.Batch;
import dev.jllm.model.CausalLM;
import dev.jllm.model.Perplexity;
import dev.jllm.prompt.InstructionExample;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.prompt.ResponseExample;
import dev.jllm.tensor.NoGrad;
import dev.jllm.tensor.Ops;
import dev.jllm.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * How well a model predicts the reference responses of an instruction set: the mean next-token cross-entropy over
 * the response header, the response and the end token (the prompt is given, not scored, as with
 * {@code --mask-prompt}), and its perplexity. Lets two finetuned
 * models be compared offline on the same file.
 */
public final class ResponseLoss {
    private ResponseLoss() {}

    /** Of the reference {@code output}s, in batches of {@code batchSize} entries cut to the model's context. */
    public static Perplexity.Result of(CausalLM model, Tokenizer tokenizer, PromptFormat format,
                                       List<ResponseExample> entries, int batchSize) {
        List<InstructionExample> examples = new ArrayList<>(entries.size());
        for (ResponseExample e : entries) examples.add(new InstructionExample(e.instruction(), e.input(), e.output()));
        InstructionCollator collator = new InstructionCollator(tokenizer.eotId(), Ops.IGNORE_INDEX,
                model.config().contextLength(), true);
        boolean wasTraining = model.isTraining();
        model.eval();
        double sum = 0;
        long scored = 0;
        try (NoGrad ignored = NoGrad.enter()) {
            for (Batch b : collator.batches(EncodedInstruction.encode(examples, format, tokenizer::encode),
                    batchSize, null, false)) {
                long n = 0;
                for (int t : b.targets()) if (t != Ops.IGNORE_INDEX) n++;
                if (n == 0) continue;
                sum += (double) model.loss(b.inputs(), b.targets(), b.batchSize(), b.length()).item() * n;
                scored += n;
            }
        } finally {
            if (wasTraining) model.train();
        }
        if (scored == 0) throw new IllegalArgumentException("no response token fits in the model's context");
        double loss = sum / scored;
        return new Perplexity.Result(loss, Math.exp(loss), scored);
    }
}
