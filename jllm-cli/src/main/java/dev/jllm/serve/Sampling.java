package dev.jllm.serve;

import dev.jllm.generate.GenerationOptions;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The generation settings of a completion request, in OpenAI's names: {@code max_tokens} (chat also
 * {@code max_completion_tokens}), {@code temperature} [0, 2], {@code top_p} (0, 1], {@code top_k} (an extension,
 * 0 = off), {@code stop}, {@code seed} (random when absent), {@code n} (only 1), {@code stream} and
 * {@code stream_options.include_usage}.
 */
record Sampling(int maxTokens, float temperature, float topP, int topK, List<String> stops, long seed, boolean stream,
                boolean includeUsage) {

    /** {@code defaultMaxTokens} applies when the request names none; any value must be in [1, context]. */
    static Sampling parse(RequestFields f, boolean chat, int defaultMaxTokens, int context) {
        refuseUnsupported(f, chat);
        String maxName = chat && f.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        int maxTokens = (int) f.integer(maxName, defaultMaxTokens, 1, context);
        if (f.integer("n", 1, 1, Integer.MAX_VALUE) != 1) {
            throw ApiException.invalid("only n=1 is supported", "n");
        }
        float temperature = (float) f.number("temperature", 1, 0, false, 2);
        float topP = (float) f.number("top_p", 1, 0, true, 1);
        int topK = (int) f.integer("top_k", 0, 0, Integer.MAX_VALUE);
        List<String> stops = f.stops("stop");
        long seed = f.has("seed") ? f.integer("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE)
                : ThreadLocalRandom.current().nextLong();
        boolean stream = f.bool("stream", false);
        boolean includeUsage = false;
        if (f.has("stream_options")) {
            var options = f.node("stream_options");
            if (!options.isObject()) throw RequestFields.wrongType("stream_options", "an object");
            includeUsage = options.path("include_usage").asBoolean(false);
        }
        return new Sampling(maxTokens, temperature, topP, topK, stops, seed, stream, includeUsage);
    }

    /**
     * OpenAI's fields that this server does not implement are refused rather than silently ignored, unless they
     * ask for nothing.
     */
    private static void refuseUnsupported(RequestFields f, boolean chat) {
        if (chat) {
            f.refuseUnless("logprobs", v -> v.isBoolean() && !v.asBoolean(), "logprobs: true");
            f.refuseUnless("top_logprobs", v -> false, "top_logprobs");
            f.refuseUnless("tools", v -> v.isArray() && v.isEmpty(), "tools");
            f.refuseUnless("functions", v -> v.isArray() && v.isEmpty(), "functions");
            f.refuseUnless("response_format", v -> v.path("type").asText().equals("text"),
                    "a response_format other than text");
        } else {
            f.refuseUnless("echo", v -> v.isBoolean() && !v.asBoolean(), "echo: true");
            f.refuseUnless("logprobs", v -> false, "logprobs");
            f.refuseUnless("best_of", v -> v.isIntegralNumber() && v.asLong() == 1, "best_of other than 1");
            f.refuseUnless("suffix", v -> v.isTextual() && v.asText().isEmpty(), "suffix");
        }
        f.refuseUnless("presence_penalty", v -> v.isNumber() && v.asDouble() == 0, "presence_penalty");
        f.refuseUnless("frequency_penalty", v -> v.isNumber() && v.asDouble() == 0, "frequency_penalty");
        f.refuseUnless("logit_bias", v -> v.isObject() && v.isEmpty(), "logit_bias");
    }

    GenerationOptions options(java.util.Set<Integer> endIds) {
        return new GenerationOptions(maxTokens, temperature, topK, topP, seed, true, endIds, stops);
    }
}
