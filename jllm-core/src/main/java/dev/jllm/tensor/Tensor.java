package dev.jllm.tensor;

import dev.jllm.kernels.Bf16;
import dev.jllm.kernels.quant.Dequantize;
import dev.jllm.kernels.quant.QuantizedMatrix;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A row-major, contiguous block of floats with a shape, an optional gradient, and the op that made it.
 *
 * <p>There are no general strides: an op that needs another layout makes a contiguous copy. A leaf tensor
 * (input or parameter) tracks a gradient when {@link #requiresGrad(boolean)} turned it on; a tensor made by an
 * op tracks one when any of the op's inputs does (and no {@link NoGrad} scope is open), and then carries the
 * {@link Node} that made it. {@link #backward()} walks those nodes in reverse topological order.
 *
 * <p>A tensor may instead hold bfloat16 values where they already are ({@link #bf16}: a published checkpoint's
 * weight matrix, memory-mapped): read-only, never trained, read by the ops that take weights ({@code linear},
 * {@code embedding}) in place, widened to float32 as they are used (PyTorch: a {@code torch.bfloat16} tensor
 * with {@code requires_grad=False}).
 *
 * <p>Likewise a weight matrix may hold ggml blocks in place ({@link #quantized}: a GGUF file's Q8_0, Q4_K ...
 * matrix, or one quantized on load): read-only, read by {@code linear} and {@code embedding} block by block, never
 * widened to a float32 copy of the whole matrix. {@link #isReadOnly} covers both kinds.
 */
public final class Tensor {

    private final int[] shape;
    /** The float32 values, or null for a bfloat16 tensor. */
    private final float[] data;
    /** The bfloat16 values (row-major, little-endian), or null for a float32 tensor. */
    private final MemorySegment bf16;
    /** The ggml blocks of a quantized matrix, or null. */
    private final QuantizedMatrix quant;
    private final int size;
    private float[] grad;
    private boolean requiresGrad;
    /** The op that produced this tensor, or null for a leaf or an untracked result. */
    Node node;

    private Tensor(float[] data, int[] shape) {
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + n + " values, data has " + data.length);
        }
        this.shape = shape.clone();
        this.data = data;
        this.bf16 = null;
        this.quant = null;
        this.size = data.length;
    }

    private Tensor(MemorySegment bf16, int[] shape) {
        long n = numel(shape);
        if (bf16.byteSize() != 2 * n) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                    + " bfloat16 values, not " + bf16.byteSize() + " bytes");
        }
        this.shape = shape.clone();
        this.data = null;
        this.bf16 = bf16;
        this.quant = null;
        this.size = Math.toIntExact(n);
    }

    private Tensor(QuantizedMatrix quant) {
        this.shape = new int[] {quant.rows(), quant.cols()};
        this.data = null;
        this.bf16 = null;
        this.quant = quant;
        this.size = Math.toIntExact(numel(shape));
    }

    /** Wraps {@code data} (not copied) with the given shape. */
    public static Tensor of(float[] data, int... shape) {
        return new Tensor(data, shape);
    }

    /**
     * A read-only tensor over bfloat16 values in place ({@code values}: row-major, little-endian, as safetensors
     * stores them; not copied). It never tracks a gradient.
     */
    public static Tensor bf16(MemorySegment values, int... shape) {
        return new Tensor(values, shape);
    }

    /**
     * A read-only matrix [rows, cols] over ggml blocks in place ({@code m}: row-major blocks, not copied, such as a
     * slice of a memory-mapped GGUF file). It never tracks a gradient.
     */
    public static Tensor quantized(QuantizedMatrix m) {
        return new Tensor(m);
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(new float[Math.toIntExact(numel(shape))], shape);
    }

    /** A one-value tensor of shape [] (rank 0). */
    public static Tensor scalar(float value) {
        return new Tensor(new float[] {value}, new int[0]);
    }

    /** Number of values of a tensor of this shape (PyTorch: {@code math.prod(shape)}, a tensor's {@code numel()}). */
    public static long numel(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            if (d != 0 && n > Long.MAX_VALUE / d) { // a shape read from a file must not wrap around to a small count
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has too many values");
            }
            n *= d;
        }
        return n;
    }

    /**
     * The result of an op: a tensor over {@code data} that records {@code backward} when any input tracks a
     * gradient and no {@link NoGrad} scope is open. Ops call {@link #recording} first to skip saving state
     * that backward would need.
     */
    static Tensor result(float[] data, int[] shape, Node.Backward backward, Tensor... inputs) {
        Tensor out = new Tensor(data, shape);
        if (backward != null && recording(inputs)) out.node = new Node(inputs, backward);
        return out;
    }

    /** True when an op on these inputs must record its backward. */
    static boolean recording(Tensor... inputs) {
        if (NoGrad.active()) return false;
        for (Tensor t : inputs) if (t != null && t.requiresGrad()) return true;
        return false;
    }

    /** The sizes of the dimensions (PyTorch: {@code x.shape}, {@code x.size()}); a copy. */
    public int[] shape() {
        return shape.clone();
    }

    /**
     * Size of dimension {@code i} (PyTorch: {@code x.size(i)}, {@code x.shape[i]}); negative {@code i} counts from
     * the end.
     */
    public int dim(int i) {
        int r = i < 0 ? shape.length + i : i;
        if (r < 0 || r >= shape.length) {
            throw new IndexOutOfBoundsException("dimension " + i + " of a tensor of shape " + shapeString());
        }
        return shape[r];
    }

    /** Number of dimensions (PyTorch: {@code x.dim()}, {@code x.ndim}). */
    public int rank() {
        return shape.length;
    }

    /**
     * Number of values (PyTorch: {@code x.numel()}; PyTorch's {@code x.size()} is the shape, here {@link #shape()}).
     */
    public int size() {
        return size;
    }

    /**
     * The values, row-major. Callers may read and write them in place. A bfloat16 or quantized tensor has none: see
     * {@link #isReadOnly}.
     */
    public float[] data() {
        if (data == null) {
            throw new IllegalStateException("tensor " + shapeString() + " holds read-only " + (quant != null ? quant.type() : "bfloat16")
                    + " values, not float32 (widen a copy with toFloat32())");
        }
        return data;
    }

    /** Whether the values are ggml blocks in place ({@link #quantized}). */
    public boolean isQuantized() {
        return quant != null;
    }

    /** The ggml blocks of a {@link #quantized} tensor (null otherwise). */
    public QuantizedMatrix quantizedValues() {
        return quant;
    }

    /** Whether the values are held in place as bfloat16 or ggml blocks: read-only, never trained, no {@link #data}. */
    public boolean isReadOnly() {
        return data == null;
    }

    /** Bytes the values take: 4 per float32 value, 2 per bfloat16 one, a quantized matrix's blocks. */
    public long byteSize() {
        return quant != null ? quant.byteSize() : bf16 != null ? bf16.byteSize() : 4L * size;
    }

    /** Whether the values are bfloat16 in place ({@link #bf16}) rather than a float32 array. */
    public boolean isBf16() {
        return bf16 != null;
    }

    /** The bfloat16 values of a {@link #bf16} tensor (null for a float32 tensor). */
    public MemorySegment bf16Values() {
        return bf16;
    }

    /**
     * A read-only bfloat16 copy, each value rounded to the nearest bfloat16 (PyTorch: {@code x.to(torch.bfloat16)}),
     * held off the Java heap until it is unreachable.
     */
    public Tensor toBf16() {
        float[] values = toFloat32().data();
        MemorySegment out = java.lang.foreign.Arena.ofAuto().allocate(2L * size, 2);
        for (int i = 0; i < size; i++) out.set(BF16_LE, 2L * i, Bf16.fromFloat(values[i]));
        return new Tensor(out, shape);
    }

    private static final java.lang.foreign.ValueLayout.OfShort BF16_LE =
            java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    /**
     * This tensor when it is float32; else a float32 copy of its values (exact: bfloat16 widened, ggml blocks
     * dequantized), not tracking a gradient.
     */
    public Tensor toFloat32() {
        if (data != null) return this;
        float[] out = new float[size];
        if (quant != null) Dequantize.values(quant.type(), quant.data(), 0, out, 0, size);
        else Bf16.widen(bf16, 0, size, out, 0);
        return new Tensor(out, shape);
    }

    /** The gradient buffer, or null if none was accumulated yet. */
    public float[] grad() {
        return grad;
    }

    /**
     * The gradient buffer, created (zeroed) on first use; an op result's comes from the open {@link Workspace}
     * scope, if any, a leaf's (a parameter's) never does.
     */
    public float[] gradOrCreate() {
        if (grad == null) grad = node != null ? Workspace.floats(size) : new float[size];
        return grad;
    }

    public void zeroGrad() {
        if (grad != null) Arrays.fill(grad, 0f);
    }

    /** True for a leaf that asked for a gradient, and for a recorded op result that depends on one. */
    public boolean requiresGrad() {
        return requiresGrad || node != null;
    }

    /**
     * Turns gradient tracking on or off for this tensor. On a leaf it marks a trainable (or frozen) parameter;
     * on an op result, turning it on also keeps its gradient after {@link #backward()} (otherwise freed).
     */
    public Tensor requiresGrad(boolean on) {
        if (on && data == null) {
            throw new IllegalStateException("a " + (quant != null ? quant.type() + " quantized" : "bfloat16") + " tensor "
                    + shapeString() + " is read-only and cannot be trained (train a float32 copy, or LoRA adapters over it)");
        }
        this.requiresGrad = on;
        return this;
    }

    public float item() {
        if (size != 1) throw new IllegalStateException("item() needs one value, tensor has shape " + shapeString());
        return data()[0];
    }

    /** The same values, cut from the graph: no node, no gradient. Shares the data. */
    public Tensor detach() {
        return quant != null ? new Tensor(quant) : bf16 != null ? new Tensor(bf16, shape) : new Tensor(data, shape);
    }

    /** The same values in another shape (one dimension may be -1); shares the data, gradients flow. */
    public Tensor reshape(int... newShape) {
        return ShapeOps.reshape(this, newShape);
    }

    /**
     * Back-propagates from this one-value tensor (a loss): seeds its gradient with 1 and runs every recorded op
     * it depends on in reverse topological order, adding into the gradients of the tensors that track one.
     * Gradients accumulate across calls until {@link #zeroGrad()}. The graph is released as it is walked, so
     * backward runs once per forward; gradients of intermediate results are freed unless
     * {@link #requiresGrad(boolean)} was set on them.
     */
    public void backward() {
        backward(null);
    }

    /**
     * {@link #backward()} that also tells {@code gradientDone} about each leaf that tracks a gradient (a parameter)
     * as soon as the last op reading it has pushed its gradient back, while the rest of the backward pass still runs:
     * data-parallel training starts averaging those gradients across processes then (PyTorch DDP's hooks).
     * Leaves are told in the order their gradients finish; null {@code gradientDone} is plain {@link #backward()}.
     */
    public void backward(java.util.function.Consumer<Tensor> gradientDone) {
        if (size != 1) {
            throw new IllegalStateException("backward() needs a one-value loss, tensor has shape " + shapeString());
        }
        if (!requiresGrad()) {
            throw new IllegalStateException("backward(): the loss does not depend on any tensor that requires grad");
        }
        gradOrCreate()[0] += 1f;
        List<Tensor> order = topologicalOrder(this);
        IdentityHashMap<Tensor, int[]> readers = gradientDone == null ? null : leafReaders(order);
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor t = order.get(i);
            Node n = t.node;
            t.node = null;
            if (t.grad != null) Profiler.backward(n, t.grad);
            if (!t.requiresGrad) {
                Workspace.giveBack(t.grad);
                t.grad = null;
            }
            if (readers != null) {
                for (Tensor in : n.inputs) {
                    int[] left = in == null ? null : readers.get(in);
                    if (left != null && --left[0] == 0) gradientDone.accept(in);
                }
            }
        }
    }

    /** For each gradient-tracking leaf read by the ops in {@code order}: how many times they read it. */
    private static IdentityHashMap<Tensor, int[]> leafReaders(List<Tensor> order) {
        IdentityHashMap<Tensor, int[]> readers = new IdentityHashMap<>();
        for (Tensor t : order) {
            for (Tensor in : t.node.inputs) {
                if (in != null && in.node == null && in.requiresGrad) readers.computeIfAbsent(in, k -> new int[1])[0]++;
            }
        }
        return readers;
    }

    /** Tensors with a node reachable from {@code root}, each after all the inputs it was made from. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        // Iterative post-order DFS (a deep graph would overflow a recursive one): a frame is (tensor, next input).
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        if (root.node != null) {
            seen.add(root);
            stack.push(new Object[] {root, 0});
        }
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Tensor[] inputs = t.node.inputs;
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor in = inputs[next];
                if (in != null && in.node != null && seen.add(in)) stack.push(new Object[] {in, 0});
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "Tensor" + shapeString();
    }
}
