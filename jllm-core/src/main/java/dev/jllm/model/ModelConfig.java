package dev.jllm.model;

/**
 * The facts about a model's sizes that code above {@code model/} needs, whatever the architecture: the book's
 * {@code GPT_CONFIG_124M} keys that every causal language model has. An architecture's own config record
 * ({@link GptConfig} for GPT-2) implements it and adds the rest.
 */
public interface ModelConfig {

    /** The architecture, as Hugging Face's {@code config.json} names it in {@code model_type}: {@code gpt2}, ... */
    String architecture();

    /** Number of token ids (the embedding's rows and the output head's columns). */
    int vocabSize();

    /** The longest sequence the model reads at once. */
    int contextLength();

    /** Width of the residual stream (what {@link CausalLM#hidden} returns per position). */
    int embDim();

    /** Transformer blocks. */
    int nLayers();

    /** Query heads per block. */
    int nHeads();

    /** Key/value heads per block: {@link #nHeads()} without grouped-query attention. */
    default int nKvHeads() {
        return nHeads();
    }

    /** Width of one attention head. */
    default int headDim() {
        return embDim() / nHeads();
    }

    /** Dropout probability in training mode. */
    float dropRate();

    /** Whether the output head shares the token embedding's weights. */
    boolean tiedHead();

    // ---- sizes, compute and memory, worked out from the config alone (jllm info) ----

    /** Parameters of a model with this config, a tied head counted once. */
    long parameterCount();

    /**
     * Forward-pass FLOPs per token at sequence length {@code seqLen}: 2 per multiply-add of the matrix products, plus
     * the attention scores and weighted sums over the positions each query sees.
     */
    double forwardFlopsPerToken(int seqLen);

    /** Training FLOPs per token: forward and backward, 3× the forward pass. */
    default double trainingFlopsPerToken(int seqLen) {
        return 3 * forwardFlopsPerToken(seqLen);
    }

    /** Estimated fp32 training memory at {@code batch} sequences of {@code seqLen} tokens. */
    ModelStats.Memory trainingMemory(int batch, int seqLen);

    /** Bytes of one sequence's fp32 key/value cache holding {@code positions} positions. */
    long kvCacheBytes(int positions);
}
