package dev.jllm.serve;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One admitted request between its HTTP handler and the generation thread that serves it. The generation thread
 * reports {@link Event events} (started, each piece of text, done or failed); the handler takes them in order and
 * answers its client, and {@link #cancel cancels} the work when the client leaves or the server shuts down. The
 * generation thread never touches the connection, so a slow client cannot hold up generation.
 */
final class Generation {
    /** Why a generation was stopped before its end. */
    enum Cancel { CLIENT_GONE, SHUTDOWN }

    sealed interface Event {}

    /** The generation thread took the request up (a stream's head can now be sent). */
    record Started() implements Event {}

    /** A settled piece of text (never a broken character nor the start of a stop string). */
    record Piece(String text) implements Event {}

    /**
     * The end: the whole text, {@code stop} or {@code length}, the tokens generated, and the cancellation that
     * ended it early (null when it ran to its end).
     */
    record Done(String text, String finishReason, int completionTokens, Cancel cancelled) implements Event {}

    /** The request failed (a refusal before it started, or an error while generating). */
    record Failed(RuntimeException error) implements Event {}

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile Cancel cancelled;
    private volatile boolean started;

    void cancel(Cancel why) {
        if (cancelled == null) cancelled = why;
    }

    /** Why it was cancelled, or null while it may run on. */
    Cancel cancelled() {
        return cancelled;
    }

    void report(Event e) {
        if (e instanceof Started) started = true;
        events.add(e);
    }

    /** Whether a generation thread took it up. */
    boolean started() {
        return started;
    }

    /** The next event, or null when none came within {@code millis}. */
    Event next(long millis) throws InterruptedException {
        return events.poll(millis, TimeUnit.MILLISECONDS);
    }
}
