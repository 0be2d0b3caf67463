package dev.jllm.model;

import dev.jllm.io.SafetensorsShards;
import dev.jllm.kernels.Bf16;
import dev.jllm.kernels.MatMul;
import dev.jllm.kernels.Parallel;
import dev.jllm.kernels.quant.QuantizedGemv;
import dev.jllm.kernels.quant.QuantizedMatmul;
import dev.jllm.kernels.quant.QuantizedMatrix;
import dev.jllm.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The weights a decoding step of a {@link DecoderModel} reads, by Hugging Face name: float32 vectors (norms,
 * biases), and matrices that are multiplied in place, held as float32 arrays, packed bfloat16 copies, or bfloat16
 * tensors left where they are in a memory-mapped safetensors file (published checkpoints are bf16: nothing is
 * copied or widened at load, and a decode step streams half the bytes of float32), or ggml blocks in place (a
 * GGUF file's, or quantized on load).
 */
public final class DecoderWeights implements AutoCloseable {

    /** A matrix [out, in] that multiplies vectors. */
    private sealed interface Matrix {
        int out();

        int in();

        /**
         * Y[m, out] = X[m, in] · Wᵀ (+ bias), W streamed once for all m rows, each row computed as a one-row
         * product computes it (whatever m).
         */
        void rows(float[] x, float[] bias, float[] y, int m);

        /**
         * {@link #rows} as units of one parallel loop, so that products of one input run together, or null where the
         * product runs only as a whole (float32; ggml blocks over many rows).
         */
        Parallel.Units units(float[] x, float[] bias, float[] y, int m);

        /** Row r widened into out[off .. +in). */
        void row(int r, float[] out, int off);

        long bytes();
    }

    private record F32(float[] w, int out, int in) implements Matrix {
        public void rows(float[] x, float[] bias, float[] y, int m) {
            MatMul.xwtPerRow(x, 0, w, 0, bias, y, 0, m, in, out);
        }

        public Parallel.Units units(float[] x, float[] bias, float[] y, int m) {
            return null;
        }

        public void row(int r, float[] o, int off) {
            System.arraycopy(w, r * in, o, off, in);
        }

        public long bytes() {
            return 4L * out * in;
        }
    }

    private record Packed(int[] w, int out, int in) implements Matrix {
        public void rows(float[] x, float[] bias, float[] y, int m) {
            Bf16.gemvRows(w, x, 0, bias, y, 0, m, in, out);
        }

        public Parallel.Units units(float[] x, float[] bias, float[] y, int m) {
            return Bf16.product(MemorySegment.ofArray(w), x, 0, bias, y, 0, m, in, out);
        }

        public void row(int r, float[] o, int off) {
            int half = (in + 1) / 2;
            for (int i = 0; i < in; i++) {
                int pair = w[r * half + i / 2];
                o[off + i] = Float.intBitsToFloat(i % 2 == 0 ? pair << 16 : pair & 0xFFFF0000);
            }
        }

        public long bytes() {
            return 2L * out * in;
        }
    }

    private record Mapped(MemorySegment w, int out, int in) implements Matrix {
        public void rows(float[] x, float[] bias, float[] y, int m) {
            Bf16.gemvRows(w, x, 0, bias, y, 0, m, in, out);
        }

        public Parallel.Units units(float[] x, float[] bias, float[] y, int m) {
            return Bf16.product(w, x, 0, bias, y, 0, m, in, out);
        }

        public void row(int r, float[] o, int off) {
            Bf16.row(w, r, in, o, off);
        }

        public long bytes() {
            return 2L * out * in;
        }
    }

    /** ggml blocks, multiplied in place ({@link QuantizedGemv}, {@link QuantizedMatmul}). */
    private record Quantized(QuantizedMatrix m) implements Matrix {

        public int out() {
            return m.rows();
        }

        public int in() {
            return m.cols();
        }

        /** A decoding batch's rows: the blocks streamed once for all of them, each row as alone ({@link QuantizedMatmul#rows}). */
        public void rows(float[] x, float[] bias, float[] y, int rows) {
            QuantizedMatmul.rows(x, 0, m, bias, y, 0, rows);
        }

        /**
         * A decode step's row (units of {@link QuantizedGemv#product}), or a batch's few rows ({@link QuantizedMatmul#rowUnits});
         * more rows (a long prompt) run as a whole, through dequantized tiles.
         */
        public Parallel.Units units(float[] x, float[] bias, float[] y, int rows) {
            return rows <= QuantizedMatmul.ROW_WISE ? QuantizedMatmul.rowUnits(x, 0, m, bias, y, 0, rows) : null;
        }

        public void row(int r, float[] o, int off) {
            m.row(r, o, off);
        }

        public long bytes() {
            return m.byteSize();
        }
    }

    /** A Linear's weight and bias (null when it has none), found once by its name's prefix. */
    private record Named(Matrix w, float[] bias) {}

    private final DecoderConfig config;
    private final Map<String, float[]> vectors = new HashMap<>();
    private final Map<String, Matrix> matrices = new LinkedHashMap<>();
    /**
     * The Linears looked up so far, by prefix: a decode step names ~7 per layer, and building "prefix.weight" and
     * hashing it anew for each cost ~3 % of a Qwen3-0.6B step's caller thread (a profile); a caller that passes
     * the same String each step ({@link DecoderPass}) pays one lookup with a cached hash.
     */
    private final Map<String, Named> named = new java.util.concurrent.ConcurrentHashMap<>();
    private final AutoCloseable owner;

    private DecoderWeights(DecoderConfig config, AutoCloseable owner) {
        this.config = config;
        this.owner = owner;
    }

    /**
     * The model's own arrays, read in place: float32 ones, or for the matrices that {@code bf16} (not null) has
     * copies of, those packed bfloat16 copies; read-only bfloat16 tensors (a checkpoint's, mapped) in place. LoRA
     * adapters are not applied: decode a {@link DecoderModel#merged} model.
     */
    public static DecoderWeights of(DecoderModel model, Bf16Weights bf16) {
        return of(model, bf16, null, null);
    }

    /**
     * The model's float32 arrays, except the matrices {@code quant} holds: those are multiplied from their ggml blocks
     * ({@code --dtype q8_0}, or a GGUF file's own), and the token embedding's rows read from them when it is tied.
     */
    public static DecoderWeights quantized(DecoderModel model, QuantizedWeights quant) {
        return of(model, null, quant, null);
    }

    private static DecoderWeights of(DecoderModel model, Bf16Weights bf16, QuantizedWeights quant, AutoCloseable owner) {
        DecoderWeights w = new DecoderWeights(model.config, owner);
        java.util.Set<Tensor> copied = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        if (bf16 != null) copied.addAll(model.streamedMatrices());
        model.namedParameters().forEach((name, t) -> {
            if (dev.jllm.nn.LoRA.isAdapter(name)) return;
            if (t.rank() == 1) {
                w.vectors.put(name, t.data());
            } else if (quant != null && quant.contains(t)) {
                w.matrices.put(name, new Quantized(quant.of(t)));
            } else if (t.isQuantized() && !copied.contains(t)) { // a GGUF file's blocks, or quantized on load
                w.matrices.put(name, new Quantized(t.quantizedValues()));
            } else if (t.isBf16() && t.dim(1) % 2 == 0) {
                w.matrices.put(name, new Mapped(t.bf16Values(), t.dim(0), t.dim(1)));
            } else if (t.isBf16()) { // rows of odd length: the pair-wise product needs even ones
                w.matrices.put(name, new F32(t.toFloat32().data(), t.dim(0), t.dim(1)));
            } else if (copied.contains(t)) {
                w.matrices.put(name, new Packed(bf16.of(t), t.dim(0), t.dim(1)));
            } else {
                w.matrices.put(name, new F32(t.data(), t.dim(0), t.dim(1)));
            }
        });
        return w;
    }

    /**
     * The checkpoint's tensors, checked against {@code config}: bf16 matrices stay in the mapped files, others are
     * read as float32. Closing the result closes {@code shards}.
     */
    public static DecoderWeights mapped(DecoderConfig config, SafetensorsShards shards) {
        return of(DecoderModel.fromCheckpoint(config, shards, true), null, null, shards);
    }

    public DecoderConfig config() {
        return config;
    }

    /** A float32 vector [n] (a norm weight or a bias), or null when the model has none of that name. */
    public float[] vector(String name) {
        return vectors.get(name);
    }

    /** Row {@code id} of the token embedding, widened into out[off .. off + hidden). */
    public void embeddingRow(int id, float[] out, int off) {
        matrix("model.embed_tokens.weight").row(id, out, off);
    }

    /**
     * x [n, in] → [n, out] through the Linear named {@code prefix} ({@code prefix.weight}, {@code prefix.bias}): a
     * prompt's rows of float32, mapped bf16 or quantized weights through the packed matrix product (ggml blocks a
     * dequantized tile at a time), else {@link #linearRows}.
     */
    public float[] linear(String prefix, float[] x, int n) {
        Named l = named(prefix);
        Matrix m = l.w();
        if (n == 1 || !(m instanceof F32 || m instanceof Mapped || m instanceof Quantized)) return linearRows(prefix, x, n);
        float[] y = new float[n * m.out()], bias = l.bias();
        if (m instanceof F32 f) MatMul.xwt(x, 0, f.w(), 0, bias, y, 0, n, m.in(), m.out());
        else if (m instanceof Quantized q) QuantizedMatmul.xwt(x, 0, q.m(), bias, y, 0, n);
        else Bf16.xwt(x, 0, ((Mapped) m).w(), bias, y, 0, n, m.in(), m.out());
        return y;
    }

    /**
     * x [n, in] → [n, out] for the rows of a decoding batch: the weights streamed once for all rows, and each row
     * computed as it would be alone (n = 1), whatever the other rows.
     */
    public float[] linearRows(String prefix, float[] x, int n) {
        Named l = named(prefix);
        float[] y = new float[n * l.w().out()];
        l.w().rows(x, l.bias(), y, n);
        return y;
    }

    /**
     * x [n, in] through each Linear named in {@code prefixes}, products of one input (q, k and v; gate and up), as
     * {@link #linear} computes them, or {@link #linearRows} when {@code rowWise}; bf16 weights' products, and one
     * token's products of ggml blocks, run as one parallel loop: one hand-off to the worker threads and one join
     * instead of one each.
     */
    public float[][] linears(float[] x, int n, boolean rowWise, String... prefixes) {
        float[][] ys = new float[prefixes.length][];
        Parallel.Units[] products = new Parallel.Units[prefixes.length];
        for (int i = 0; i < prefixes.length; i++) {
            Named l = named(prefixes[i]);
            ys[i] = new float[n * l.w().out()];
            products[i] = l.w().units(x, l.bias(), ys[i], n);
            if (products[i] == null) { // one of them runs only as a whole: each on its own
                for (int j = 0; j < prefixes.length; j++) ys[j] = rowWise ? linearRows(prefixes[j], x, n) : linear(prefixes[j], x, n);
                return ys;
            }
        }
        Parallel.forEachUnit(products);
        return ys;
    }

    /** The output head: x [n, hidden] → logits [n, vocab] (the token embedding when tied), row by row. */
    public float[] head(float[] x, int n) {
        return linearRows(config.tiedHead() ? "model.embed_tokens" : "lm_head", x, n);
    }

    /** Bytes of matrices one decode step streams: every block matrix and the head (not the embedding lookup). */
    public long streamedBytesPerToken() {
        long n = 0;
        for (var e : matrices.entrySet()) {
            if (!e.getKey().equals("model.embed_tokens.weight")) n += e.getValue().bytes();
        }
        if (config.tiedHead()) n += matrix("model.embed_tokens.weight").bytes();
        return n;
    }

    private Named named(String prefix) {
        Named l = named.get(prefix);
        if (l == null) {
            l = new Named(matrix(prefix + ".weight"), vectors.get(prefix + ".bias"));
            named.put(prefix, l);
        }
        return l;
    }

    private Matrix matrix(String name) {
        Matrix m = matrices.get(name);
        if (m == null) throw new IllegalArgumentException("no weight matrix '" + name + "'");
        return m;
    }

    @Override
    public void close() {
        if (owner != null) {
            try {
                owner.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
