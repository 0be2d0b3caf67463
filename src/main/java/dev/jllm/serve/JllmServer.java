package dev.jllm.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import java.net.URI;
import java.util.function.IntConsumer;

/**
 * {@code jllm serve}: an OpenAI-compatible HTTP API and a chat page for one model.
 *
 * <pre>
 * POST /v1/completions        prompt → text (stream: server-sent events)
 * POST /v1/chat/completions   messages → reply (stream: server-sent events)
 * GET  /v1/models             the served model
 * POST /v1/classify           {"input": text} → {"label", "probabilities"} (classification models)
 * GET  /health                status and load
 * GET  /                      the chat page
 * </pre>
 *
 * <p>Javalin (on Jetty) runs each request on a virtual thread; generations are admitted by {@link Slots}.
 */
public final class JllmServer implements AutoCloseable {
    private static final String ERROR_SENT = "jllm.error";

    private final ServedModel served;
    private final ServerOptions options;
    private final Slots slots;
    private final Completions completions;
    private final long created = System.currentTimeMillis() / 1000;
    private final Javalin app;

    public JllmServer(ServedModel served, ServerOptions options) {
        this(served, options, id -> {});
    }

    /** {@code tokenHook} sees every generated token before it is streamed (tests use it to pace generation). */
    JllmServer(ServedModel served, ServerOptions options, IntConsumer tokenHook) {
        this.served = served;
        this.options = options;
        this.slots = new Slots(options.maxConcurrent(), options.queue());
        this.completions = new Completions(served, slots, tokenHook);
        this.app = Javalin.create(config -> {
            config.useVirtualThreads = true;
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.prefer405over404 = true;
            config.http.disableCompression(); // streamed chunks must leave at once
            config.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/dev/jllm/serve/web";
                files.location = Location.CLASSPATH;
            });
        });
        app.post("/v1/completions", ctx -> completions.handle(ctx, false));
        app.post("/v1/chat/completions", ctx -> completions.handle(ctx, true));
        app.get("/v1/models", this::models);
        app.get("/v1/models/{id}", this::model);
        app.post("/v1/classify", this::classify);
        app.get("/health", this::health);
        app.exception(ApiException.class, (e, ctx) -> error(ctx, e));
        app.exception(Exception.class, (e, ctx) -> error(ctx, new ApiException(500, "server_error",
                e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), null, null)));
        app.error(404, ctx -> {
            if (ctx.attribute(ERROR_SENT) == null) { // not a 404 of ours (unknown model) but an unknown URL
                error(ctx, new ApiException(404, "invalid_request_error",
                        "Unknown request URL: " + ctx.method() + " " + ctx.path(), null, "unknown_url"));
            }
        });
        app.error(405, ctx -> error(ctx, new ApiException(405, "invalid_request_error",
                "Method " + ctx.method() + " is not allowed for " + ctx.path(), null, "method_not_allowed")));
    }

    /** Binds the port and starts answering. */
    public JllmServer start() {
        app.start(options.host(), options.port());
        return this;
    }

    /** The bound port (the free one chosen when the options said 0). */
    public int port() {
        return app.port();
    }

    public URI url() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return URI.create("http://" + host + ":" + port());
    }

    @Override
    public void close() {
        app.stop();
    }

    private void models(Context ctx) {
        ObjectNode body = RequestFields.JSON.createObjectNode().put("object", "list");
        body.putArray("data").add(modelCard());
        json(ctx, body);
    }

    private void model(Context ctx) {
        String id = ctx.pathParam("id");
        if (!id.equals(served.name())) throw ApiException.unknownModel(id);
        json(ctx, modelCard());
    }

    private ObjectNode modelCard() {
        return RequestFields.JSON.createObjectNode().put("id", served.name()).put("object", "model")
                .put("created", created).put("owned_by", "jllm").put("context_length", served.contextLength());
    }

    private void classify(Context ctx) throws InterruptedException {
        RequestFields f = RequestFields.parse(ctx.body());
        if (f.has("model")) {
            String name = f.requiredString("model");
            if (!name.equals(served.name())) throw ApiException.unknownModel(name);
        }
        if (served.classifier() == null) {
            throw ApiException.invalid("model '" + served.name() + "' is not a classifier", "model",
                    "model_not_classifier");
        }
        String input = f.requiredString("input");
        Classifier.Classification c;
        try (Slots.Slot ignored = slots.acquire()) {
            c = served.classifier().classify(input);
        }
        ObjectNode body = RequestFields.JSON.createObjectNode().put("model", served.name()).put("label", c.label());
        ObjectNode probabilities = body.putObject("probabilities");
        c.probabilities().forEach(probabilities::put);
        json(ctx, body);
    }

    private void health(Context ctx) {
        json(ctx, RequestFields.JSON.createObjectNode()
                .put("status", "ok")
                .put("model", served.name())
                .put("classifier", served.classifier() != null)
                .put("context_length", served.contextLength())
                .put("format", served.format() == null ? "none" : served.format().cliName())
                .put("generating", slots.busy())
                .put("queued", slots.waiting())
                .put("max_concurrent", slots.capacity())
                .put("queue", slots.queueCapacity())
                .put("cancelled", completions.cancelled()));
    }

    private static void json(Context ctx, ObjectNode body) {
        ctx.status(200).contentType("application/json").result(body.toString());
    }

    private static void error(Context ctx, ApiException e) {
        ctx.attribute(ERROR_SENT, true);
        ctx.status(e.status).contentType("application/json").result(Completions.errorBody(e).toString());
    }
}
