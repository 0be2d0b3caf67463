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
}
