package dev.jllm.generate;

import dev.jllm.Setting;
import dev.jllm.SettingException;
import dev.jllm.model.BatchDecoder;
import dev.jllm.model.CausalLM;
import dev.jllm.model.ModelConfig;
import dev.jllm.model.PagedKvCache;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Continuous batching: many generations advanced together, one {@link #step} at a time, each step one forward
 * pass of a {@link BatchDecoder} over every active sequence (weights read once per step for all of them).
 *
 * <p>Requests are {@link #submit submitted} from any thread and admitted first come, first served at the start of
 * a step, as long as the batch has room ({@code maxBatch}) and the {@link PagedKvCache} pool has blocks for the
 * request's prompt plus its new tokens; otherwise they wait (a full pool queues, it does not fail). An admitted
 * prompt is prefilled in chunks of at most {@code prefillChunk} tokens per step across all prefilling requests,
 * beside the one-token rows of the sequences already decoding, so a long prompt does not stall them. A request
 * leaves the batch when it ends (end token, its listener says stop, {@code maxNewTokens}, the context), is
 * {@link Request#cancel cancelled} or its listener throws (that request alone fails), and its blocks go back to the
 * pool.
 *
 * <p>Each request samples with its own settings and its own generator seeded from its options, and a row's logits
 * do not depend on the other rows of a step, so a seeded request writes the same tokens alone or in any batch.
 * {@link #step} runs on one thread (the one that owns the batch).
 */
public final class BatchGenerator {

    /**
     * @param maxBatch     sequences in the batch at most
     * @param prefillChunk prompt tokens prefilled per step at most (all prefilling requests together)
     * @param kvPositions  positions the KV pool holds in all (blocks of {@link PagedKvCache#BLOCK_SIZE})
     */
    public record Settings(int maxBatch, int prefillChunk, long kvPositions) {
        public Settings {
            if (maxBatch < 1) throw new SettingException(Setting.MAX_BATCH, " must be >= 1, got " + maxBatch);
            if (prefillChunk < 1) throw new IllegalArgumentException("prefill chunk must be >= 1, got " + prefillChunk);
            if (kvPositions < 1) throw new IllegalArgumentException("the KV pool must hold >= 1 position");
        }

        /** {@code maxBatch} sequences, 64-token prefill chunks, a pool for maxBatch full contexts. */
        public static Settings of(int maxBatch, int contextLength) {
            return new Settings(maxBatch, 64, (long) maxBatch * contextLength);
        }
    }

    /** What a request tells its submitter, on the thread that runs the steps. */
    public interface Listener {
        /** The request joined the batch. */
        default void started() {}

        /** A new token; returning false ends the request after it. */
        boolean token(int id);

        /** The request left the batch (see {@link Request#finish()}). */
        default void ended(Request request) {}
    }

    /** Why a request ended. */
    public enum Finish { END_TOKEN, STOPPED, LENGTH, CANCELLED, FAILED }

    /** One generation in the batch or waiting for it. */
    public final class Request {
        private final int[] prompt;
        private final GenerationOptions options;
        private final Sampler sampler;
        private final Listener listener;
        /** Prompt plus new tokens, at most the context: the positions reserved for it. */
        private final int limit;
        private final int[] generated;
        private PagedKvCache.Sequence sequence;
        private int prefilled;
        private int count;
        private volatile boolean cancelled;
        private volatile Finish finish;
        private RuntimeException failure;

        private Request(int[] prompt, GenerationOptions options, Listener listener) {
            this.prompt = prompt;
            this.options = options;
            this.listener = listener;
            this.sampler = new Sampler(options.temperature(), options.topK(), options.topP(),
                    new SplittableRandom(options.seed()));
            this.limit = (int) Math.min(context, (long) prompt.length + options.maxNewTokens());
            this.generated = new int[limit - prompt.length];
        }

        /** Stops the request at the next step (or takes it out of the queue). */
        public void cancel() {
            cancelled = true;
        }

        /** How it ended, or null while it runs or waits. */
        public Finish finish() {
            return finish;
        }

        /** The new tokens so far (without the prompt and the end token). */
        public int[] tokens() {
            return Arrays.copyOf(generated, count);
        }

        /** The error that ended it ({@link Finish#FAILED}), or null. */
        public RuntimeException failure() {
            return failure;
        }

        public int promptLength() {
            return prompt.length;
        }
    }

    private final BatchDecoder decoder;
    private final PagedKvCache cache;
    private final Settings settings;
    private final int context;
    private final int vocab;
    private final ConcurrentLinkedQueue<Request> incoming = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    private final List<Request> active = new ArrayList<>();
    private final AtomicInteger queued = new AtomicInteger();
    private volatile int running;

    public BatchGenerator(CausalLM model, Settings settings) {
        this.settings = settings;
        ModelConfig c = model.config();
        this.context = c.contextLength();
        this.vocab = c.vocabSize();
        this.cache = PagedKvCache.holding(c.nLayers(), c.nKvHeads() * c.headDim(), settings.kvPositions());
        this.decoder = model.batchDecoder(cache);
    }

    /**
     * Queues a generation of up to {@code options.maxNewTokens()} tokens after {@code prompt} (its last
     * {@code contextLength} tokens when longer; it also ends at the context's end). Thread-safe.
     */
    public Request submit(int[] prompt, GenerationOptions options, Listener listener) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt has no tokens");
        CausalLM.checkVocabulary(prompt, vocab);
        if (prompt.length > context) prompt = Arrays.copyOfRange(prompt, prompt.length - context, prompt.length);
        Request r = new Request(prompt, options, listener);
        if (PagedKvCache.blocksFor(r.limit) > cache.blocksTotal()) {
            throw new IllegalArgumentException("a generation of " + r.limit + " positions does not fit the KV pool of "
                    + cache.blocksTotal() * PagedKvCache.BLOCK_SIZE + " positions");
        }
        queued.incrementAndGet();
        incoming.add(r);
        return r;
    }

    /** Requests waiting to join the batch. */
    public int queued() {
        return queued.get();
    }

    /** Requests in the batch (as of the last step). */
    public int running() {
        return running;
    }

    public PagedKvCache cache() {
        return cache;
    }

    /** Whether a request is running or waiting. */
    public boolean busy() {
        return running > 0 || queued.get() > 0;
    }

    /**
     * One step: admits waiting requests, drops cancelled ones, runs one forward pass over every active sequence
     * and hands each its next token. Returns false when there was nothing to do.
     */
    public boolean step() {
        for (Request r; (r = incoming.poll()) != null; ) waiting.add(r);
        waiting.removeIf(r -> {
            if (!r.cancelled) return false;
            queued.decrementAndGet();
            end(r, Finish.CANCELLED);
            return true;
        });
        active.removeIf(r -> {
            if (!r.cancelled) return false;
            end(r, Finish.CANCELLED);
            return true;
        });
        admit();
        running = active.size();
        if (active.isEmpty()) return false;
        try {
            run();
        } catch (RuntimeException e) {
            for (Request r : active) {
                r.failure = e;
                end(r, Finish.FAILED);
            }
            active.clear();
            running = 0;
            throw e;
        }
        active.removeIf(r -> r.finish != null);
        running = active.size();
        return true;
    }

    /** Generates for every prompt together (one listener-less request each) and returns the new ids of each. */
    public List<int[]> generate(List<int[]> prompts, List<GenerationOptions> options) {
        if (prompts.size() != options.size()) throw new IllegalArgumentException("one options per prompt");
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) requests.add(submit(prompts.get(i), options.get(i), id -> true));
        while (step() || busy()) {
            // each step advances every sequence in the batch
        }
        return requests.stream().map(Request::tokens).toList();
    }

    /** First come, first served: the head of the queue joins when the batch and the pool have room for it. */
    private void admit() {
        while (active.size() < settings.maxBatch() && !waiting.isEmpty()) {
            Request r = waiting.peek();
            PagedKvCache.Sequence s = cache.open();
            if (!cache.reserve(s, r.limit)) break; // the pool is full: wait for blocks, keep the order
            waiting.poll();
            queued.decrementAndGet();
            r.sequence = s;
            if (r.generated.length == 0) {
                end(r, Finish.LENGTH);
                continue;
            }
            active.add(r);
            r.listener.started();
        }
    }

    private void run() {
        int rows = 0;
        for (Request r : active) rows += r.prefilled < r.prompt.length ? 0 : 1;
        int budget = settings.prefillChunk();
        int[] chunk = new int[active.size()];
        for (int a = 0; a < active.size(); a++) {
            Request r = active.get(a);
            if (r.prefilled < r.prompt.length) {
                chunk[a] = Math.min(r.prompt.length - r.prefilled, budget);
                budget -= chunk[a];
                rows += chunk[a];
            }
        }
        int[] ids = new int[rows], positions = new int[rows], logitRows = new int[active.size()];
        PagedKvCache.Sequence[] sequences = new PagedKvCache.Sequence[rows];
        Request[] wanting = new Request[active.size()];
        int row = 0, count = 0;
        for (int a = 0; a < active.size(); a++) {
            Request r = active.get(a);
            int n = r.prefilled < r.prompt.length ? chunk[a] : 1;
            if (n == 0) continue; // a prompt waiting for prefill budget
            int start = r.sequence.length();
            for (int i = 0; i < n; i++) {
                ids[row] = r.prefilled < r.prompt.length ? r.prompt[r.prefilled + i] : r.generated[r.count - 1];
                positions[row] = start + i;
                sequences[row++] = r.sequence;
            }
            r.sequence.setLength(start + n);
            if (r.prefilled < r.prompt.length) r.prefilled += n;
            if (r.prefilled == r.prompt.length) { // its logits give the next token
                logitRows[count] = row - 1;
                wanting[count++] = r;
            }
        }
        float[] logits = decoder.step(ids, sequences, positions, row, logitRows, count);
        for (int i = 0; i < count; i++) next(wanting[i], Arrays.copyOfRange(logits, i * vocab, (i + 1) * vocab));
    }

    /** Samples a request's next token and ends it when it is done, as {@link Generator} does for one sequence. */
    private void next(Request r, float[] logits) {
        int id = r.sampler.next(logits);
        if (r.options.isEnd(id)) {
            end(r, Finish.END_TOKEN);
            return;
        }
        r.generated[r.count++] = id;
        boolean more;
        try {
            more = r.listener.token(id);
        } catch (RuntimeException e) { // this request's own failure (its text, its client): the others go on
            r.failure = e;
            end(r, Finish.FAILED);
            return;
        }
        if (!more) end(r, Finish.STOPPED);
        else if (r.count == r.generated.length) end(r, Finish.LENGTH);
    }

    private void end(Request r, Finish finish) {
        if (r.finish != null) return;
        r.finish = finish;
        if (r.sequence != null) {
            decoder.release(r.sequence);
            cache.release(r.sequence);
        }
        r.listener.ended(r);
    }
}
