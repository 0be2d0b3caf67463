package dev.jllm.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.generate.BatchGenerator;
import dev.jllm.model.PagedKvCache;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
 * <p>Javalin (on Jetty) handles each request on a virtual thread, which only validates it and hands the work to
 * the server's own threads, the {@link BatchEngine}'s (continuous batching of completions) or, for a classifier,
 * the {@link GenerationQueue}'s: the HTTP side never computes, so it answers at once under any load.
 * {@link Access} decides who may call the API.
 */
public final class JllmServer implements AutoCloseable {
    private static final String ERROR_SENT = "jllm.error";
    /** How long handlers get to write their last event once their generations are cancelled at shutdown. */
    private static final long LAST_WRITES_MILLIS = 5_000;

    private final ServedModel served;
    private final ServerOptions options;
    /** Classification requests' threads (a classifier's server), or null. */
    private final GenerationQueue queue;
    /** Completions' continuous batching (a language model's server), or null. */
    private final BatchEngine engine;
    private final Completions completions;
    private final Access access;
    private final long created = System.currentTimeMillis() / 1000;
    private final Javalin app;
    private boolean stopped;

    public JllmServer(ServedModel served, ServerOptions options) {
        this(served, options, id -> {});
    }

    /** {@code tokenHook} sees every generated token before it is streamed (tests use it to pace generation). */
    JllmServer(ServedModel served, ServerOptions options, IntConsumer tokenHook) {
        this.served = served;
        this.options = options;
        boolean classifier = served.classifier() != null;
        this.queue = classifier ? new GenerationQueue(options.maxConcurrent(), options.queue()) : null;
        this.engine = classifier ? null : new BatchEngine(served.model(),
                BatchGenerator.Settings.of(options.maxConcurrent(), served.contextLength()), options.queue(), tokenHook);
        this.completions = new Completions(served, engine);
        this.access = new Access(options);
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
        app.before(access::checkHost);
        app.before("/v1/*", access::checkApi);
        app.post("/v1/completions", ctx -> completions.handle(ctx, false));
        app.post("/v1/chat/completions", ctx -> completions.handle(ctx, true));
        app.get("/v1/models", this::models);
        app.get("/v1/models/{id}", this::model);
        app.post("/v1/classify", this::classify);
        app.get("/health", this::health);
        app.exception(ApiException.class, (e, ctx) -> error(ctx, e));
        app.exception(HttpResponseException.class, (e, ctx) -> error(ctx, javalinRefusal(ctx, e)));
        app.exception(Exception.class, (e, ctx) -> error(ctx,
                Completions.asApi(e instanceof RuntimeException r ? r : new RuntimeException(e))));
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

    /**
     * Stops gracefully: new generations are refused (503), queued ones are answered 503, running ones may finish
     * within {@code grace}; those still running then end, a stream with an error event and a plain request with a
     * 503, before the port closes. Returns how many generations had to be cut short.
     */
    public synchronized int shutdown(Duration grace) {
        if (stopped) return 0;
        stopped = true;
        int cut = 0;
        try {
            cut = engine != null ? engine.drain(grace) : queue.drain(grace);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LAST_WRITES_MILLIS);
            while (completions.handling() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (queue != null) queue.close();
            if (engine != null) engine.close();
            app.stop();
        }
        return cut;
    }

    /** Generations running or queued now. */
    public int inFlight() {
        return engine != null ? engine.busy() + engine.waiting() : queue.busy() + queue.waiting();
    }

    /** {@link #shutdown} without a grace period. */
    @Override
    public void close() {
        shutdown(Duration.ZERO);
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
        RequestFields f = RequestFields.parse(ctx);
        if (f.has("model")) {
            String name = f.requiredString("model");
            if (!name.equals(served.name())) throw ApiException.unknownModel(name);
        }
        if (served.classifier() == null) {
            throw ApiException.invalid("model '" + served.name() + "' is not a classifier", "model",
                    "model_not_classifier");
        }
        String input = f.requiredString("input");
        AtomicReference<Classifier.Classification> result = new AtomicReference<>();
        Generation job = new Generation();
        if (queue == null) throw new IllegalStateException("no classifier");
        queue.submit(job, () -> {
            try {
                result.set(served.classifier().classify(input));
                job.report(new Generation.Done("", "stop", 0, null));
            } catch (RuntimeException e) {
                job.report(new Generation.Failed(e));
            }
        });
        ClientProbe client = ClientProbe.of(ctx);
        for (;;) {
            Generation.Event event = job.next(Completions.PROBE_MILLIS);
            if (event instanceof Generation.Failed failed) throw failed.error();
            if (event instanceof Generation.Done) break;
            if (event == null && client.gone()) {
                job.cancel(Generation.Cancel.CLIENT_GONE);
                queue.withdraw(job);
                return;
            }
        }
        Classifier.Classification c = result.get();
        ObjectNode body = RequestFields.JSON.createObjectNode().put("model", served.name()).put("label", c.label());
        ObjectNode probabilities = body.putObject("probabilities");
        c.probabilities().forEach(probabilities::put);
        json(ctx, body);
    }

    private void health(Context ctx) {
        ObjectNode body = RequestFields.JSON.createObjectNode()
                .put("status", stopped ? "stopping" : "ok")
                .put("model", served.name())
                .put("classifier", served.classifier() != null)
                .put("context_length", served.contextLength())
                .put("format", served.format() == null ? "none" : served.format().cliName())
                .put("api_key_required", access.keyRequired())
                .put("generating", engine != null ? engine.busy() : queue.busy())
                .put("queued", engine != null ? engine.waiting() : queue.waiting())
                .put("max_concurrent", engine != null ? engine.capacity() : queue.capacity())
                .put("queue", engine != null ? engine.queueCapacity() : queue.queueCapacity())
                .put("cancelled", completions.cancelled());
        if (engine != null) { // the paged KV cache
            PagedKvCache cache = engine.cache();
            body.putObject("kv_cache").put("block_positions", PagedKvCache.BLOCK_SIZE)
                    .put("blocks", cache.blocksTotal())
                    .put("blocks_used", cache.blocksTotal() - cache.blocksFree())
                    .put("bytes_allocated", cache.blocksAllocated() * cache.blockBytes());
        }
        json(ctx, body);
    }

    /** Javalin's own refusals (an unknown URL, a body over its size limit) in OpenAI's shape. */
    private ApiException javalinRefusal(Context ctx, HttpResponseException e) {
        return switch (e.getStatus()) {
            case 404 -> new ApiException(404, "invalid_request_error",
                    "Unknown request URL: " + ctx.method() + " " + ctx.path(), null, "unknown_url");
            case 405 -> new ApiException(405, "invalid_request_error",
                    "Method " + ctx.method() + " is not allowed for " + ctx.path(), null, "method_not_allowed");
            case 413 -> new ApiException(413, "invalid_request_error", "the request body is larger than the limit of "
                    + app.unsafeConfig().http.maxRequestSize + " bytes", null, "request_too_large");
            default -> new ApiException(e.getStatus(), e.getStatus() >= 500 ? "server_error" : "invalid_request_error",
                    e.getMessage(), null, null);
        };
    }

    private static void json(Context ctx, ObjectNode body) {
        ctx.status(200).contentType("application/json").result(body.toString());
    }

    private static void error(Context ctx, ApiException e) {
        ctx.attribute(ERROR_SENT, true);
        if (e.retryAfter > 0) ctx.header("Retry-After", Integer.toString(e.retryAfter));
        if (e.status == 401) ctx.header("WWW-Authenticate", "Bearer");
        ctx.status(e.status).contentType("application/json").result(Completions.errorBody(e).toString());
    }
}
