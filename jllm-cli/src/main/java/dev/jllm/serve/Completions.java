package dev.jllm.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.model.CausalLM;
import dev.jllm.chat.ChatTemplate;
import dev.jllm.chat.TemplateException;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code POST /v1/completions} and {@code POST /v1/chat/completions}: validate the request, queue it for the
 * {@link BatchEngine}, and answer in one JSON body or as a stream of chunks from the events that thread reports. The
 * response shapes are OpenAI's ({@code text_completion}, {@code chat.completion}, {@code chat.completion.chunk}),
 * with {@code usage} token counts and {@code finish_reason} {@code stop} (end token or stop string) or
 * {@code length} (max_tokens reached). A client that hangs up, streaming or not, cancels its generation.
 */
final class Completions {
    /** OpenAI's default {@code max_tokens} of the legacy completions endpoint. */
    static final int COMPLETION_MAX_TOKENS = 16;
    /** A chat reply runs to the end token, the context, or this many tokens. */
    static final int CHAT_MAX_TOKENS = 512;
    /** How often a waiting handler looks whether its client is still there. */
    static final long PROBE_MILLIS = 50;
    private static final long PROBE_NANOS = PROBE_MILLIS * 1_000_000;

    private final ServedModel served;
    private final BatchEngine engine;
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicInteger handling = new AtomicInteger();

    Completions(ServedModel served, BatchEngine engine) {
        this.served = served;
        this.engine = engine;
    }

    /** Generations stopped because their client disconnected. */
    long cancelled() {
        return cancelled.get();
    }

    /** Requests whose handler is still answering (queued, generating, or writing the end). */
    int handling() {
        return handling.get();
    }

    void handle(Context ctx, boolean chat) throws IOException, InterruptedException {
        RequestFields f = RequestFields.parse(ctx);
        String name = f.requiredString("model");
        if (!name.equals(served.name())) throw ApiException.unknownModel(name);
        if (served.classifier() != null) {
            throw ApiException.invalid("model '" + name + "' is a classifier: use POST /v1/classify", "model",
                    "model_is_classifier");
        }
        String promptParam = chat ? "messages" : "prompt";
        int[] prompt = chat ? chatPrompt(ChatPrompt.parse(f.node("messages"))) : promptIds(f);
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
        Generation generation = new Generation();
        handling.incrementAndGet();
        try {
            engine.submit(generation, prompt, sampling, served);
            answer(ctx, generation, prompt.length, sampling, response);
        } finally {
            handling.decrementAndGet();
        }
    }

    /**
     * Takes the generation's events in order and answers with them: a stream opens when generation starts and
     * gets each piece as it comes; a plain answer is written at the end. Every {@link #PROBE_MILLIS} it looks
     * whether the client is still there.
     */
    private void answer(Context ctx, Generation generation, int promptTokens, Sampling sampling, Response response)
            throws IOException, InterruptedException {
        ClientProbe client = ClientProbe.of(ctx);
        String object = response.chat() ? sampling.stream() ? "chat.completion.chunk" : "chat.completion"
                : "text_completion";
        EventStream events = null;
        long probed = System.nanoTime();
        for (;;) {
            Generation.Event event = generation.next(PROBE_MILLIS);
            if (System.nanoTime() - probed >= PROBE_NANOS) {
                probed = System.nanoTime();
                if (client.gone()) {
                    leave(generation);
                    return;
                }
            }
            if (event == null) continue;
            switch (event) {
                case Generation.Started ignored -> {
                    if (sampling.stream()) events = open(ctx, response, object);
                }
                case Generation.Piece piece -> {
                    if (events != null) {
                        events.send(response.piece(object, piece.text()));
                        if (events.closed()) {
                            leave(generation);
                            return;
                        }
                    }
                }
                case Generation.Failed failed -> {
                    // Once a stream's status line is sent, a failure is reported in the stream, as OpenAI does.
                    if (events == null) throw failed.error();
                    events.send(errorBody(asApi(failed.error())));
                    return;
                }
                case Generation.Done done -> {
                    if (done.cancelled() == Generation.Cancel.CLIENT_GONE) return;
                    if (done.cancelled() == Generation.Cancel.SHUTDOWN) {
                        if (events == null) throw GenerationQueue.shuttingDown();
                        events.send(errorBody(GenerationQueue.shuttingDown()));
                        return;
                    }
                    if (events == null) whole(ctx, done, promptTokens, response, object);
                    else end(events, done, promptTokens, sampling, response, object);
                    return;
                }
            }
        }
    }

    /** The client left: its generation stops at the next token (or leaves the queue). */
    private void leave(Generation generation) {
        generation.cancel(Generation.Cancel.CLIENT_GONE);
        engine.cancel(generation);
        cancelled.incrementAndGet();
    }

    private static EventStream open(Context ctx, Response response, String object) throws IOException {
        EventStream events = new EventStream(ctx.res());
        if (response.chat()) {
            ObjectNode first = response.head(object);
            first.withArray("choices").addObject().put("index", 0)
                    .<ObjectNode>set("delta", RequestFields.JSON.createObjectNode().put("role", "assistant").put("content", ""))
                    .putNull("logprobs").putNull("finish_reason");
            events.send(first);
        }
        return events;
    }

    private static void whole(Context ctx, Generation.Done done, int promptTokens, Response response, String object) {
        ObjectNode body = response.head(object);
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
        if (response.chat()) {
            choice.putObject("message").put("role", "assistant").put("content", done.text());
        } else {
            choice.put("text", done.text());
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", done.finishReason());
        body.set("usage", usage(promptTokens, done.completionTokens()));
        ctx.status(200).contentType("application/json").result(body.toString());
    }

    private static void end(EventStream events, Generation.Done done, int promptTokens, Sampling sampling,
                            Response response, String object) {
        ObjectNode last = response.head(object);
        ObjectNode choice = last.withArray("choices").addObject().put("index", 0);
        if (response.chat()) choice.putObject("delta");
        else choice.put("text", "");
        choice.putNull("logprobs").put("finish_reason", done.finishReason());
        events.send(last);
        if (sampling.includeUsage()) {
            ObjectNode usage = response.head(object);
            usage.putArray("choices");
            usage.set("usage", usage(promptTokens, done.completionTokens()));
            events.send(usage);
        }
        events.done();
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
    /** The chat's prompt ids: the model's chat template when it has one, else its instruction format or none. */
    private int[] chatPrompt(List<ChatPrompt.Message> messages) {
        if (served.template() == null) return encode(ChatPrompt.prompt(messages, served.format()));
        List<Map<String, Object>> maps = messages.stream().map(m -> ChatTemplate.message(m.role(), m.content())).toList();
        String text;
        try {
            text = served.template().render(maps, true, null);
        } catch (TemplateException e) { // the template refused the conversation (e.g. Gemma: roles must alternate)
            throw ApiException.invalid(e.getMessage(), "messages");
        }
        return encode(text);
    }

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

    /** An error as the API reports it: itself when it is one, else a 500. */
    static ApiException asApi(RuntimeException e) {
        if (e instanceof ApiException api) return api;
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new ApiException(500, "server_error", message, null, null);
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
