package dev.jllm.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.generate.Generator;
import dev.jllm.generate.TextStreamer;
import dev.jllm.model.CausalLM;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * {@code POST /v1/completions} and {@code POST /v1/chat/completions}: validate the request, wait for a
 * generation slot, generate with the request's own decoder state, and answer in one JSON body or as a stream of
 * chunks. The response shapes are OpenAI's ({@code text_completion}, {@code chat.completion},
 * {@code chat.completion.chunk}), with {@code usage} token counts and {@code finish_reason} {@code stop} (end
 * token or stop string) or {@code length} (max_tokens reached).
 */
final class Completions {
    /** OpenAI's default {@code max_tokens} of the legacy completions endpoint. */
    static final int COMPLETION_MAX_TOKENS = 16;
    /** A chat reply runs to the end token, the context, or this many tokens. */
    static final int CHAT_MAX_TOKENS = 512;

    private final ServedModel served;
    private final Slots slots;
    private final IntConsumer tokenHook;
    private final AtomicLong cancelled = new AtomicLong();

    Completions(ServedModel served, Slots slots, IntConsumer tokenHook) {
        this.served = served;
        this.slots = slots;
        this.tokenHook = tokenHook;
    }

    /** Generations stopped because their client disconnected. */
    long cancelled() {
        return cancelled.get();
    }

    void handle(Context ctx, boolean chat) throws IOException, InterruptedException {
        RequestFields f = RequestFields.parse(ctx.body());
        String name = f.requiredString("model");
        if (!name.equals(served.name())) throw ApiException.unknownModel(name);
        if (served.classifier() != null) {
            throw ApiException.invalid("model '" + name + "' is a classifier: use POST /v1/classify", "model",
                    "model_is_classifier");
        }
        String promptParam = chat ? "messages" : "prompt";
        int[] prompt = chat ? encode(ChatPrompt.prompt(ChatPrompt.parse(f.node("messages")), served.format()))
                : promptIds(f);
        int context = served.contextLength();
        if (prompt.length > context) {
            throw ApiException.invalid("This model's maximum context length is " + context + " tokens, but the "
                    + promptParam + " has " + prompt.length + " tokens", promptParam, "context_length_exceeded");
        }
        int defaultMax = chat ? Math.max(1, Math.min(CHAT_MAX_TOKENS, context - prompt.length))
                : Math.min(COMPLETION_MAX_TOKENS, context);
        Sampling sampling = Sampling.parse(f, chat, defaultMax, context);
        Response response = new Response(chat, "%s-%s".formatted(chat ? "chatcmpl" : "cmpl", randomId()),
                System.currentTimeMillis() / 1000, served.name());
        try (Slots.Slot ignored = slots.acquire()) {
            if (sampling.stream()) stream(ctx, prompt, sampling, response);
            else answer(ctx, prompt, sampling, response);
        }
    }

    private void answer(Context ctx, int[] prompt, Sampling sampling, Response response) {
        Outcome outcome = generate(prompt, sampling, piece -> {}, () -> false);
        ObjectNode body = response.head(response.chat() ? "chat.completion" : "text_completion");
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
        if (response.chat()) {
            choice.putObject("message").put("role", "assistant").put("content", outcome.text());
        } else {
            choice.put("text", outcome.text());
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", outcome.finishReason());
        body.set("usage", usage(prompt.length, outcome.completionTokens()));
        ctx.status(200).contentType("application/json").result(body.toString());
    }

    private void stream(Context ctx, int[] prompt, Sampling sampling, Response response) throws IOException {
        EventStream events = new EventStream(ctx.res());
        String object = response.chat() ? "chat.completion.chunk" : "text_completion";
        if (response.chat()) {
            ObjectNode first = response.head(object);
            first.withArray("choices").addObject().put("index", 0)
                    .<ObjectNode>set("delta", RequestFields.JSON.createObjectNode().put("role", "assistant").put("content", ""))
                    .putNull("logprobs").putNull("finish_reason");
            events.send(first);
        }
        Outcome outcome;
        try {
            outcome = generate(prompt, sampling, piece -> events.send(response.piece(object, piece)), events::closed);
        } catch (RuntimeException e) {
            // The status line is sent already: report the failure in the stream, as OpenAI does.
            events.send(errorEvent(e));
            return;
        }
        if (events.closed()) {
            cancelled.incrementAndGet();
            return;
        }
        ObjectNode last = response.head(object);
        ObjectNode choice = last.withArray("choices").addObject().put("index", 0);
        if (response.chat()) choice.putObject("delta");
        else choice.put("text", "");
        choice.putNull("logprobs").put("finish_reason", outcome.finishReason());
        events.send(last);
        if (sampling.includeUsage()) {
            ObjectNode usage = response.head(object);
            usage.putArray("choices");
            usage.set("usage", usage(prompt.length, outcome.completionTokens()));
            events.send(usage);
        }
        events.done();
    }

    record Outcome(String text, String finishReason, int completionTokens) {}

    /** Generates with a fresh decoder; {@code sink} gets the text as it settles, {@code cancelled} can stop it. */
    private Outcome generate(int[] prompt, Sampling sampling, Consumer<String> sink, BooleanSupplier cancelled) {
        TextStreamer streamer = new TextStreamer(served.tokenizer(), sampling.stops(), sink);
        int[] ids = new Generator(served.model(), warning -> {}).generate(prompt, sampling.options(served.endId()), id -> {
            tokenHook.accept(id);
            return streamer.onToken(id) && !cancelled.getAsBoolean();
        });
        streamer.flush();
        boolean stopped = ids.length < sampling.maxTokens() || streamer.stopped();
        return new Outcome(streamer.text(), stopped ? "stop" : "length", ids.length);
    }

    /** {@code prompt}: a string, a list holding one string, or a list of token ids. An empty one starts a text. */
    private int[] promptIds(RequestFields f) {
        if (!f.has("prompt")) throw ApiException.invalid("you must provide a 'prompt' parameter", "prompt");
        JsonNode p = f.node("prompt");
        int[] ids;
        if (p.isTextual()) {
            ids = encode(p.asText());
        } else if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) {
            ids = encode(p.get(0).asText());
        } else if (p.isArray() && !p.isEmpty() && allInts(p)) {
            ids = new int[p.size()];
            for (int i = 0; i < ids.length; i++) ids[i] = p.get(i).asInt();
            try {
                CausalLM.checkVocabulary(ids, served.model().config().vocabSize());
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid(e.getMessage(), "prompt");
            }
        } else {
            throw ApiException.invalid("'prompt' must be a string or a list of token ids (one prompt: n=1)", "prompt");
        }
        return ids;
    }

    private static boolean allInts(JsonNode array) {
        for (JsonNode x : array) if (!x.isInt()) return false;
        return true;
    }

    /** The text's tokens; an empty text becomes {@code <|endoftext|>}, the start of a new document for GPT-2. */
    private int[] encode(String text) {
        int[] ids = served.tokenizer().encode(text, served.tokenizer().specialTokens().keySet());
        if (ids.length > 0) return ids;
        if (served.endId() < 0) throw ApiException.invalid("the prompt is empty", null);
        return new int[] {served.endId()};
    }

    private static ObjectNode usage(int promptTokens, int completionTokens) {
        return RequestFields.JSON.createObjectNode().put("prompt_tokens", promptTokens)
                .put("completion_tokens", completionTokens).put("total_tokens", promptTokens + completionTokens);
    }

    static ObjectNode errorBody(ApiException e) {
        ObjectNode root = RequestFields.JSON.createObjectNode();
        root.putObject("error").put("message", e.getMessage()).put("type", e.type).put("param", e.param)
                .put("code", e.code);
        return root;
    }

    private static ObjectNode errorEvent(RuntimeException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return errorBody(new ApiException(500, "server_error", message, null, null));
    }

    private static String randomId() {
        byte[] bytes = new byte[12];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The fields every answer and chunk of one request share. */
    private record Response(boolean chat, String id, long created, String model) {
        ObjectNode head(String object) {
            return RequestFields.JSON.createObjectNode().put("id", id).put("object", object).put("created", created)
                    .put("model", model);
        }

        /** A chunk carrying one piece of text. */
        ObjectNode piece(String object, String text) {
            ObjectNode chunk = head(object);
            ObjectNode choice = chunk.withArray("choices").addObject().put("index", 0);
            if (chat) choice.putObject("delta").put("content", text);
            else choice.put("text", text);
            choice.putNull("logprobs").putNull("finish_reason");
            return chunk;
        }
    }
}
