package dev.jllm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector loops over flat float ranges: the building blocks of the elementwise ops and of the other kernels.
 * Each method walks whole vectors of the preferred species with FMA where it applies, then a scalar tail.
 * They run on the calling thread; callers split large ranges with {@link #forChunks}.
 */
public final class Elementwise {
    private Elementwise() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    /**
     * Where the vector part of a loop over n elements ends: a whole number of vectors, or 0 when
     * {@link VectorSupport} found no SIMD (the scalar tail then does everything).
     */
    static int vectorEnd(int n) {
        return VectorSupport.ENABLED ? F.loopBound(n) : 0;
    }

    /** Below this many floats a loop runs on the caller: handing it to the pool would cost more than it saves. */
    public static final int PARALLEL_GRAIN = 1 << 15;

    /**
     * Runs {@code body} over [0, n), split across the pool when the range is large enough to pay for it. Chunks
     * start at multiples of the vector length, so every element takes the same (vector or scalar-tail) path
     * whatever the thread count, and results do not depend on it.
     */
    public static void forChunks(int n, Parallel.RangeBody body) {
        if (n < PARALLEL_GRAIN) {
            if (n > 0) body.run(0, n);
        } else {
            Parallel.forRange((n + L - 1) / L, (b0, b1) -> body.run(b0 * L, Math.min(n, b1 * L)));
        }
    }

    /**
     * Runs {@code body} over rows [0, rows), each costing about {@code rowCost} floats of work, in parallel
     * when the whole job is large enough.
     */
    public static void forRows(int rows, long rowCost, Parallel.RangeBody body) {
        if ((long) rows * rowCost < PARALLEL_GRAIN) {
            if (rows > 0) body.run(0, rows);
        } else {
            Parallel.forRange(rows, body);
        }
    }

    /** y[i] = a[i] + b[i] for i in [0, n). */
    public static void add(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int u = vectorEnd(n); i < u; i += L) {
            FloatVector.fromArray(F, a, aOff + i).add(FloatVector.fromArray(F, b, bOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = a[aOff + i] + b[bOff + i];
    }

    /** y[i] += alpha · x[i] for i in [0, n). */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(F, alpha);
        for (int u = vectorEnd(n); i < u; i += L) {
            FloatVector.fromArray(F, x, xOff + i).fma(va, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    /** y[i] += x[i] for i in [0, n). */
    public static void accumulate(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int u = vectorEnd(n); i < u; i += L) {
            FloatVector.fromArray(F, y, yOff + i).add(FloatVector.fromArray(F, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += x[xOff + i];
    }

    /** y[i] = a[i] · b[i] for i in [0, n). */
    public static void mul(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int u = vectorEnd(n); i < u; i += L) {
            FloatVector.fromArray(F, a, aOff + i).mul(FloatVector.fromArray(F, b, bOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = a[aOff + i] * b[bOff + i];
    }

    /** y[i] += a[i] · b[i] for i in [0, n). */
    public static void mulAccumulate(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int u = vectorEnd(n); i < u; i += L) {
            FloatVector.fromArray(F, a, aOff + i)
                    .fma(FloatVector.fromArray(F, b, bOff + i), FloatVector.fromArray(F, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += a[aOff + i] * b[bOff + i];
    }

    /** y[i] = s · x[i] for i in [0, n). */
    public static void scale(float s, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int u = vectorEnd(n); i < u; i += L) {
            FloatVector.fromArray(F, x, xOff + i).mul(s).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = s * x[xOff + i];
    }

    /** Σ a[i] · b[i] over [0, n). */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        float s = 0f;
        int u = vectorEnd(n);
        if (u > 0) {
            FloatVector acc = FloatVector.zero(F);
            for (; i < u; i += L) {
                acc = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc);
            }
            s = LaneSum.sum(acc);
        }
        for (; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    /** Σ x[i] over [0, n). */
    public static float sum(float[] x, int xOff, int n) {
        int i = 0;
        float s = 0f;
        int u = vectorEnd(n);
        if (u > 0) {
            FloatVector acc = FloatVector.zero(F);
            for (; i < u; i += L) acc = acc.add(FloatVector.fromArray(F, x, xOff + i));
            s = LaneSum.sum(acc);
        }
        for (; i < n; i++) s += x[xOff + i];
        return s;
    }

    /** max x[i] over [0, n), n ≥ 1. */
    public static float max(float[] x, int xOff, int n) {
        int i = 0;
        float m = Float.NEGATIVE_INFINITY;
        int u = vectorEnd(n);
        if (u > 0) {
            FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (; i < u; i += L) acc = acc.max(FloatVector.fromArray(F, x, xOff + i));
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) m = Math.max(m, x[xOff + i]);
        return m;
    }

    /**
     * y[i] = exp(x[i] − shift) for i in [0, n) (y may be null: only the sum is wanted); returns Σ exp(x[i] − shift).
     * The vector exponential is {@link VectorExp} (within about 2 ulp of {@link Math#exp}, the same bits compiled or not).
     */
    public static float expShifted(float[] x, int xOff, float shift, float[] y, int yOff, int n) {
        int i = 0;
        float s = 0f;
        int u = vectorEnd(n);
        if (u > 0) {
            FloatVector acc = FloatVector.zero(F);
            for (; i < u; i += L) {
                FloatVector e = VectorExp.exp(FloatVector.fromArray(F, x, xOff + i).sub(shift));
                if (y != null) e.intoArray(y, yOff + i);
                acc = acc.add(e);
            }
            s = LaneSum.sum(acc);
        }
        for (; i < n; i++) {
            float e = (float) Math.exp(x[xOff + i] - shift);
            if (y != null) y[yOff + i] = e;
            s += e;
        }
        return s;
    }

    /** y[i] += alpha · exp(x[i] − shift) for i in [0, n). */
    public static void axpyExp(float alpha, float[] x, int xOff, float shift, float[] y, int yOff, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(F, alpha);
        for (int u = vectorEnd(n); i < u; i += L) {
            FloatVector e = VectorExp.exp(FloatVector.fromArray(F, x, xOff + i).sub(shift));
            e.fma(va, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += alpha * (float) Math.exp(x[xOff + i] - shift);
    }

    /**
     * Column sums: out[c] += Σ_r x[r·cols + c] over rows [0, rows). Parallel over column blocks, each summing
     * its rows in order, so the result does not depend on the thread count.
     */
    public static void sumRowsInto(float[] x, int xOff, int rows, int cols, float[] out, int outOff) {
        forRows(cols, rows, (c0, c1) -> {
            for (int r = 0; r < rows; r++) accumulate(x, xOff + r * cols + c0, out, outOff + c0, c1 - c0);
        });
    }
}
