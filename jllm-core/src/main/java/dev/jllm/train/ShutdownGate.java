package dev.jllm.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the JVM alive after Ctrl-C until the command has said how the run ended. On Ctrl-C the JVM runs its
 * shutdown hooks and halts when they return, whatever other threads are doing; the trainer's hook waits for the
 * checkpoint, and then here, until the command line {@linkplain #release() releases} the gate after printing its
 * last lines (the "continue with --resume" line, the {@code --json} object). Without a {@link #hold()} (a library
 * caller, a test) the gate is open.
 */
public final class ShutdownGate {
    private ShutdownGate() {}

    private static final CountDownLatch released = new CountDownLatch(1);
    private static volatile boolean held;

    /** Called by the command line's main before the command runs. */
    public static void hold() {
        held = true;
    }

    /** Called by the command line's main once the command has printed everything. */
    public static void release() {
        released.countDown();
    }

    /** Waits (at most {@code minutes}) until {@link #release()}, if the gate is held. */
    static void awaitRelease(long minutes) throws InterruptedException {
        if (held) released.await(minutes, TimeUnit.MINUTES);
    }
}
