package dev.jllm.tensor;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Lends the float arrays of one training step to the next, so that a loop of equal-shaped steps stops allocating.
 *
 * <p>Without it every op allocates its output and every intermediate gradient is a new array: a GPT-2 124M step at
 * batch 2 × 256 makes gigabytes of garbage, the heap grows towards its limit, and fresh pages and collections make
 * step times swing by half. Inside a scope ({@code try (var s = workspace.open()) { step }}) the ops take their
 * outputs, saved state and intermediate gradients from this workspace instead; an intermediate gradient goes back
 * as soon as its op's backward has used it, and every array lent in the scope goes back when the scope closes. The
 * next step of the same shapes then finds every array it needs.
 *
 * <p>The contract: a tensor made inside a scope is valid only until the scope closes — read what you need
 * ({@code loss.item()}) inside it. Parameters, their gradients and tensors the caller makes ({@link Tensor#zeros},
 * {@link Tensor#of}) never come from here. Arrays of a size the closed scope did not ask for are dropped, so steps of
 * changing shapes (padded batches) keep at most one step's arrays. Small arrays are plain allocations. A workspace
 * belongs to the thread that opens it; scopes do not nest.
 */
public final class Workspace {

    /** Below this many floats a plain allocation is as cheap as a lookup. */
    static final int MIN_POOLED = 4096;

    private static final ThreadLocal<Workspace> CURRENT = new ThreadLocal<>();

    /** Arrays free to lend, by length. */
    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    /** Arrays lent in the open scope and not given back yet. */
    private final Set<float[]> lent = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Lengths asked for in the open scope. */
    private final Set<Integer> asked = new HashSet<>();

    /** Closes the scope {@link #open} returned; never throws. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Opens a scope on this thread: until it closes, op results and intermediate gradients come from here. */
    public Scope open() {
        if (CURRENT.get() != null) throw new IllegalStateException("a workspace scope is already open on this thread");
        CURRENT.set(this);
        return this::closeScope;
    }

    private void closeScope() {
        if (CURRENT.get() != this) return;
        CURRENT.remove();
        for (float[] a : lent) free.computeIfAbsent(a.length, n -> new ArrayDeque<>()).push(a);
        lent.clear();
        free.keySet().retainAll(asked);
        asked.clear();
    }

    /**
     * Drops the arrays held free for the next scope, so that the heap can take them back: after a run's last
     * step they are a whole step's activations (gigabytes for a large model), which whatever follows (merging
     * LoRA adapters, generating) does not need. A later scope allocates afresh.
     */
    public void release() {
        free.clear();
    }

    /** Floats held by this workspace, lent or free (what it adds to the heap between steps). */
    public long floatsHeld() {
        long n = 0;
        for (ArrayDeque<float[]> q : free.values()) for (float[] a : q) n += a.length;
        for (float[] a : lent) n += a.length;
        return n;
    }

    /** A zeroed array of {@code n} floats: lent by the open scope's workspace, else newly allocated. */
    static float[] floats(int n) {
        Workspace w = n < MIN_POOLED ? null : CURRENT.get();
        return w == null ? new float[n] : w.take(n);
    }

    /** Gives {@code a} back early (an intermediate gradient after its backward); ignored unless lent by the open scope. */
    static void giveBack(float[] a) {
        Workspace w = a == null || a.length < MIN_POOLED ? null : CURRENT.get();
        if (w != null && w.lent.remove(a)) w.free.computeIfAbsent(a.length, n -> new ArrayDeque<>()).push(a);
    }

    private float[] take(int n) {
        asked.add(n);
        ArrayDeque<float[]> q = free.get(n);
        float[] a = q == null ? null : q.poll();
        if (a == null) {
            a = new float[n];
        } else {
            Arrays.fill(a, 0f);
        }
        lent.add(a);
        return a;
    }
}
