package dev.jllm.serve;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission of generations: at most {@code running} at once, at most {@code queue} more waiting in arrival order;
 * beyond that a request is refused at once with 503 rather than piling up.
 */
final class Slots {
    private final int running;
    private final int queue;
    private final Semaphore permits;
    private final AtomicInteger waiting = new AtomicInteger();

    Slots(int running, int queue) {
        this.running = running;
        this.queue = queue;
        this.permits = new Semaphore(running, true);
    }

    /** Held while a generation runs; closing it lets the next one in. */
    interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /** Waits for a free slot, or throws a 503 {@link ApiException} when the queue is full. */
    Slot acquire() throws InterruptedException {
        // tryAcquire with a timeout honours the fair order: a newcomer does not overtake those already waiting.
        if (!permits.tryAcquire(0, TimeUnit.SECONDS)) {
            if (waiting.incrementAndGet() > queue) {
                waiting.decrementAndGet();
                throw ApiException.overloaded("the server is busy: " + running + " generations are running and "
                        + queue + " waiting; try again later");
            }
            try {
                permits.acquire();
            } finally {
                waiting.decrementAndGet();
            }
        }
        return permits::release;
    }

    int busy() {
        return running - permits.availablePermits();
    }

    int waiting() {
        return waiting.get();
    }

    int capacity() {
        return running;
    }

    int queueCapacity() {
        return queue;
    }
}
