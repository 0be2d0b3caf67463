package dev.jllm.io.gguf;

import dev.jllm.kernels.quant.QuantizedMatrix;
import java.util.ArrayList;
import java.util.List;

/**
 * A Llama-family model in a GGUF file (architectures {@code llama} and {@code qwen3}), read in place: its sizes from
 * the {@code ARCH.*} metadata and its tensors under llama.cpp's names. Matrices stay in the file's blocks; norms and
 * rope factors are read as float32.
 *
 * <p>llama.cpp's converter permutes the rows of {@code attn_q} and {@code attn_k} of {@code llama} files so that
 * RoPE rotates adjacent pairs (2i, 2i + 1) ({@link #adjacentPairs}); {@code qwen3} files keep Hugging Face's pairs
 * (i, i + head_dim/2). Llama 3's rope scaling is the tensor {@code rope_freqs.weight}: each frequency is divided by
 * its factor.
 */
public record GgufLlama(String architecture, int vocabSize, int contextLength, int embDim, int nLayers, int nHeads,
                        int nKvHeads, int headDim, int hiddenDim, float rmsEps, float ropeTheta, float[] ropeFactors,
                        boolean adjacentPairs, boolean qkNorm, QuantizedMatrix tokenEmbedding, QuantizedMatrix output,
                        float[] outputNorm, List<Layer> layers) {

    /** One block's tensors: norms as float32, matrices [out, in] in the file's blocks. */
    public record Layer(float[] attnNorm, QuantizedMatrix wq, QuantizedMatrix wk, QuantizedMatrix wv, QuantizedMatrix wo,
                        float[] qNorm, float[] kNorm, float[] ffnNorm, QuantizedMatrix gate, QuantizedMatrix up,
                        QuantizedMatrix down) {}

    /** The architectures this reads. */
    public static final List<String> ARCHITECTURES = List.of("llama", "qwen3");

    /** Reads the model of {@code f} (valid while {@code f} is open). */
    public static GgufLlama read(GgufFile f) {
        String arch = f.architecture();
        if (!ARCHITECTURES.contains(arch)) throw GgufFile.error(f.file(), "architecture '" + arch + "' is not a Llama-family model");
        int emb = f.count(arch + ".embedding_length"), heads = f.count(arch + ".attention.head_count");
        int kvHeads = (int) f.integer(arch + ".attention.head_count_kv", heads);
        int headDim = (int) f.integer(arch + ".attention.key_length", emb / heads);
        if (kvHeads < 1 || heads % kvHeads != 0) throw GgufFile.error(f.file(), heads + " heads do not share " + kvHeads + " key/value heads evenly");
        if (headDim < 2 || headDim % 2 != 0) throw GgufFile.error(f.file(), "head size " + headDim + " is not even");
        int layers = f.count(arch + ".block_count");
        QuantizedMatrix embedding = f.matrix("token_embd.weight");
        QuantizedMatrix output = f.hasTensor("output.weight") ? f.matrix("output.weight") : embedding;
        float[] factors = f.hasTensor("rope_freqs.weight") ? f.floats(f.tensor("rope_freqs.weight")) : null;
        if (factors != null && factors.length != headDim / 2) {
            throw GgufFile.error(f.file(), "rope_freqs.weight has " + factors.length + " factors, not head_dim/2 = " + headDim / 2);
        }
        boolean qkNorm = f.hasTensor("blk.0.attn_q_norm.weight");
        List<Layer> blocks = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            String p = "blk." + i + ".";
            Layer l = new Layer(vector(f, p + "attn_norm.weight", emb),
                    matrix(f, p + "attn_q.weight", heads * headDim, emb), matrix(f, p + "attn_k.weight", kvHeads * headDim, emb),
                    matrix(f, p + "attn_v.weight", kvHeads * headDim, emb), matrix(f, p + "attn_output.weight", emb, heads * headDim),
                    qkNorm ? vector(f, p + "attn_q_norm.weight", headDim) : null,
                    qkNorm ? vector(f, p + "attn_k_norm.weight", headDim) : null,
                    vector(f, p + "ffn_norm.weight", emb), f.matrix(p + "ffn_gate.weight"), f.matrix(p + "ffn_up.weight"),
                    f.matrix(p + "ffn_down.weight"));
            int hidden = l.gate().rows();
            checkShape(f, p + "ffn_up.weight", l.up(), hidden, emb);
            checkShape(f, p + "ffn_down.weight", l.down(), emb, hidden);
            blocks.add(l);
        }
        checkShape(f, "token_embd.weight", embedding, embedding.rows(), emb);
        checkShape(f, "output.weight", output, embedding.rows(), emb);
        return new GgufLlama(arch, embedding.rows(), (int) Math.min(Integer.MAX_VALUE, f.integer(arch + ".context_length", 4096)),
                emb, layers, heads, kvHeads, headDim, blocks.get(0).gate().rows(),
                (float) f.real(arch + ".attention.layer_norm_rms_epsilon", 1e-5), (float) f.real(arch + ".rope.freq_base", 10000),
                factors, arch.equals("llama"), qkNorm, embedding, output, vector(f, "output_norm.weight", emb), blocks);
    }

    private static QuantizedMatrix matrix(GgufFile f, String name, int rows, int cols) {
        QuantizedMatrix m = f.matrix(name);
        checkShape(f, name, m, rows, cols);
        return m;
    }

    private static void checkShape(GgufFile f, String name, QuantizedMatrix m, int rows, int cols) {
        if (m.rows() != rows || m.cols() != cols) {
            throw GgufFile.error(f.file(), "tensor '" + name + "' is [" + m.rows() + ", " + m.cols() + "], expected [" + rows + ", " + cols + "]");
        }
    }

    private static float[] vector(GgufFile f, String name, int n) {
        GgufFile.TensorInfo t = f.tensor(name);
        if (t.numel() != n) throw GgufFile.error(f.file(), "tensor '" + name + "' has " + t.numel() + " values, expected " + n);
        return f.floats(t);
    }

    /** Bytes of weights one decode step streams: every matrix once (the embedding only as the output head). */
    public long streamedBytesPerToken() {
        long n = output.byteSize();
        for (Layer l : layers) {
            n += l.wq().byteSize() + l.wk().byteSize() + l.wv().byteSize() + l.wo().byteSize() + l.gate().byteSize()
                    + l.up().byteSize() + l.down().byteSize();
        }
        return n;
    }
}
