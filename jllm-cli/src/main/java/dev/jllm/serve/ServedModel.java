package dev.jllm.serve;

import dev.jllm.model.CausalLM;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.chat.ChatTemplate;
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
 * @param template   the model's chat template (tokenizer_config.json), or null: when there, chat messages are
 *                   rendered with it (it takes the place of {@code format}) and its end-of-turn tokens stop replies
 * @param endIds     every token that ends a reply ({@code endId} and the model folder's {@code eos_token_id}s)
 */
public record ServedModel(String name, CausalLM model, Tokenizer tokenizer, int endId, PromptFormat format,
                          Classifier classifier, ChatTemplate template, java.util.Set<Integer> endIds) {

    /** Ending replies at {@code endId} only. */
    public ServedModel(String name, CausalLM model, Tokenizer tokenizer, int endId, PromptFormat format,
                       Classifier classifier, ChatTemplate template) {
        this(name, model, tokenizer, endId, format, classifier, template, endId < 0 ? java.util.Set.of() : java.util.Set.of(endId));
    }

    /** Without a chat template. */
    public ServedModel(String name, CausalLM model, Tokenizer tokenizer, int endId, PromptFormat format, Classifier classifier) {
        this(name, model, tokenizer, endId, format, classifier, null);
    }

    /** The texts that end a reply besides {@code endId}: the template's other end-of-turn tokens. */
    public java.util.List<String> endTokenTexts() {
        return template == null ? java.util.List.of()
                : ChatTemplate.endIds(tokenizer).stream().filter(id -> id != endId).map(tokenizer::piece).toList();
    }

    public ServedModel {
        if (model.isTraining()) throw new IllegalArgumentException("a served model must be in evaluation mode");
        java.util.Set<Integer> ids = new java.util.LinkedHashSet<>();
        if (endId >= 0) ids.add(endId);
        ids.addAll(endIds);
        endIds = java.util.Collections.unmodifiableSet(ids);
    }

    public int contextLength() {
        return model.config().contextLength();
    }

    /** The request's stop strings and the model's other end-of-turn tokens. */
    public java.util.List<String> withEndTokens(java.util.List<String> stops) {
        if (endTokenTexts().isEmpty()) return stops;
        java.util.List<String> all = new java.util.ArrayList<>(stops);
        all.addAll(endTokenTexts());
        return all;
    }
}
