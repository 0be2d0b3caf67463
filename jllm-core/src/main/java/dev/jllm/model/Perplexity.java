package dev.jllm.model;

import dev.jllm.tensor.NoGrad;
import dev.jllm.tensor.Ops;
import java.util.Arrays;

/**
 * Mean next-token cross-entropy of a token sequence and its perplexity exp(loss), with a sliding window for
 * sequences longer than the context (as in Hugging Face's perplexity guide).
 *
 * <p>Windows of {@code context} inputs start every {@code stride} tokens; each token (all but the first) is
 * scored exactly once, in the first window that predicts it, so a stride below the context gives every scored
 * token at least context − stride tokens of history.
 */
public final class Perplexity {
    private Perplexity() {}

    /** @param tokens the number of tokens scored (the sequence length − 1) */
    public record Result(double loss, double perplexity, long tokens) {}

    public static Result of(CausalLM model, int[] ids, int context, int stride) {
        if (ids.length < 2) throw new IllegalArgumentException("perplexity needs at least 2 tokens, got " + ids.length);
        if (context < 1 || context > model.config().contextLength()) {
            throw new IllegalArgumentException("context must be in 1.." + model.config().contextLength() + ", got " + context);
        }
        if (stride < 1 || stride > context) {
            throw new IllegalArgumentException("stride must be in 1.." + context + " (the context), got " + stride);
        }
        CausalLM.checkVocabulary(ids, model.config().vocabSize());
        boolean wasTraining = model.isTraining();
        model.eval();
        double sum = 0;
        long scored = 0;
        int scoredUpTo = 1; // ids[0] is never predicted
        try (NoGrad ignored = NoGrad.enter()) {
            for (int begin = 0; scoredUpTo < ids.length; begin += stride) {
                int end = Math.min(begin + context + 1, ids.length); // the window's inputs and targets: ids[begin, end)
                int t = end - begin - 1;
                int[] inputs = Arrays.copyOfRange(ids, begin, end - 1);
                int[] targets = Arrays.copyOfRange(ids, begin + 1, end);
                int fresh = end - scoredUpTo;
                Arrays.fill(targets, 0, t - fresh, Ops.IGNORE_INDEX); // predicted by an earlier window
                sum += (double) model.loss(inputs, targets, 1, t).item() * fresh;
                scored += fresh;
                scoredUpTo = end;
            }
        } finally {
            if (wasTraining) model.train();
        }
        double loss = sum / scored;
        return new Result(loss, Math.exp(loss), scored);
    }
}
