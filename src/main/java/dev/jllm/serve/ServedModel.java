package dev.jllm.serve;

import dev.jllm.model.CausalLM;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.tokenizer.Tokenizer;

/**
 * What {@code jllm serve} answers with: one model loaded once and shared by every request.
 *
 * @param name       the model's id in the API ({@code model} field of requests, {@code GET /v1/models})
 * @param model      the GPT, in evaluation mode (requests only read it)
 * @param tokenizer  its tokenizer
 * @param endId      the token that ends a reply ({@code <|endoftext|>}), or -1
 * @param format     how chat messages become a prompt: an instruction format, or null for plain concatenation
 * @param classifier the classifier behind {@code /v1/classify}, or null when the model is not one
 */
public record ServedModel(String name, CausalLM model, Tokenizer tokenizer, int endId, PromptFormat format,
                          Classifier classifier) {

    public ServedModel {
        if (model.isTraining()) throw new IllegalArgumentException("a served model must be in evaluation mode");
    }

    public int contextLength() {
        return model.config().contextLength();
    }
}
