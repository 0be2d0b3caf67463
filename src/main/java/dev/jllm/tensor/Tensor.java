package dev.jllm.tensor;

import java.util.Arrays;

/**
 * A row-major, contiguous block of floats with a shape.
 *
 * <p>There are no general strides: an op that needs another layout makes a contiguous copy. A tensor that
 * {@link #requiresGrad() requires a gradient} gets a {@link #grad()} buffer of the same size when backward
 * reaches it; a tensor made by an op carries the {@code node} that made it, so that backward can walk the graph.
 */
public final class Tensor {

    private final int[] shape;
    private final float[] data;
    private float[] grad;
    private boolean requiresGrad;
    /** The op that produced this tensor, or null for a leaf (input or parameter). */
    Node node;

    private Tensor(float[] data, int[] shape) {
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + n + " values, data has " + data.length);
        }
        this.shape = shape.clone();
        this.data = data;
    }

    /** Wraps {@code data} (not copied) with the given shape. */
    public static Tensor of(float[] data, int... shape) {
        return new Tensor(data, shape);
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(new float[Math.toIntExact(numel(shape))], shape);
    }

    public static long numel(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n *= d;
        }
        return n;
    }

    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code i}; negative {@code i} counts from the end. */
    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public int rank() {
        return shape.length;
    }

    public int size() {
        return data.length;
    }

    /** The values, row-major. Callers may read and write them in place. */
    public float[] data() {
        return data;
    }

    /** The gradient buffer, or null if none was accumulated yet. */
    public float[] grad() {
        return grad;
    }

    /** The gradient buffer, created (zeroed) on first use. */
    public float[] gradOrCreate() {
        if (grad == null) grad = new float[data.length];
        return grad;
    }

    public void zeroGrad() {
        if (grad != null) Arrays.fill(grad, 0f);
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    public Tensor requiresGrad(boolean on) {
        this.requiresGrad = on;
        return this;
    }

    public float item() {
        if (data.length != 1) throw new IllegalStateException("item() needs one value, tensor has shape " + shapeString());
        return data[0];
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "Tensor" + shapeString();
    }
}
