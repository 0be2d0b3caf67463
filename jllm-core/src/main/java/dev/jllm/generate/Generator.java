package dev.jllm.generate;

import dev.jllm.model.Bf16Weights;
import dev.jllm.model.CausalLM;
import dev.jllm.model.QuantizedWeights;
import dev.jllm.model.KVCacheDecoder;
import dev.jllm.model.WeightType;
import dev.jllm.tensor.NoGrad;
import dev.jllm.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Autoregressive generation of token ids, like the book's {@code generate}: feed the sequence, pick the next
 * token from the last position's logits, append it, repeat.
 *
 * <p>Each token is predicted from at most the last {@code contextLength} tokens, at positions 0 … so the
 * sequence may grow past the context: the window then slides. With the KV cache the prompt is processed as one
 * batch (prefill) and each new token as one step reusing the cache; once the window slides every position moves,
 * so the cache is rebuilt from the window for each token. Both paths give the same tokens. Runs without autograd
 * and with dropout off.
 *
 * <p>Sharing: the cached path only reads the weights (the cache belongs to the call), so many threads may generate
 * with one model at once. The uncached path runs the model's own forward pass, which needs evaluation mode; a
 * model in training mode is switched to it for the call and back afterwards, which is safe for one thread only.
 */
public final class Generator {

    /** Receives each token as it is produced; returning false stops generation after it. */
    @FunctionalInterface
    public interface TokenListener {
        boolean onToken(int id);
    }

    private final CausalLM model;
    private final Consumer<String> warnings;
    /** The bfloat16 weights of the cached path, or null for float32. */
    private final Bf16Weights bf16;
    /** The quantized weights of the cached path, or null. */
    private final QuantizedWeights quant;

    /** Warnings (such as a cropped prompt) go to standard error. */
    public Generator(CausalLM model) {
        this(model, message -> System.err.println("jllm: warning: " + message));
    }

    public Generator(CausalLM model, Consumer<String> warnings) {
        this(model, warnings, WeightType.FP32);
    }

    /**
     * A generator whose KV-cache path streams the weights as {@code weights} (bf16 or quantized copies are made
     * here, once; the uncached path always runs the model's float32 forward pass).
     */
    public Generator(CausalLM model, Consumer<String> warnings, WeightType weights) {
        this.model = model;
        this.warnings = warnings;
        this.bf16 = weights == WeightType.BF16 ? model.bf16Weights() : null;
        this.quant = weights.quantized() ? QuantizedWeights.quantize(model.streamedMatrices(), weights.ggml) : null;
    }

    /** A generator whose KV-cache path streams {@code quant} (quantized on load, or a GGUF file's own blocks). */
    public Generator(CausalLM model, Consumer<String> warnings, QuantizedWeights quant) {
        this.model = model;
        this.warnings = warnings;
        this.bf16 = null;
        this.quant = quant;
    }

    /** The new ids (without the prompt and without the end token). */
    public int[] generate(int[] prompt, GenerationOptions options) {
        return generate(prompt, options, id -> true);
    }

    public int[] generate(int[] prompt, GenerationOptions options, TokenListener listener) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt has no tokens");
        CausalLM.checkVocabulary(prompt, model.config().vocabSize());
        if ((bf16 != null || quant != null) && !options.kvCache()) {
            throw new IllegalArgumentException((bf16 != null ? "bf16" : "quantized") + " weights are used by the KV-cache path only;"
                    + " turn the KV cache on");
        }
        int context = model.config().contextLength();
        if (prompt.length > context) {
            warnings.accept("prompt of " + prompt.length + " tokens is longer than the context length " + context
                    + "; keeping its last " + context + " tokens");
            prompt = Arrays.copyOfRange(prompt, prompt.length - context, prompt.length);
        }
        Sampler sampler = new Sampler(options.temperature(), options.topK(), options.topP(),
                new SplittableRandom(options.seed()));
        // The cache holds the whole generation when it fits the context, else a full context that slides.
        int positions = (int) Math.min(context, (long) prompt.length + options.maxNewTokens());
        NextLogits next = !options.kvCache() ? this::uncached
                : new Cached(quant != null ? model.quantizedDecoder(positions, quant) : model.decoder(positions, bf16));

        int[] ids = Arrays.copyOf(prompt, prompt.length + options.maxNewTokens());
        int length = prompt.length;
        // Only the uncached path reads the mode; an eval-mode model is never written, so it can be shared.
        boolean switchMode = !options.kvCache() && model.isTraining();
        if (switchMode) model.eval();
        try (NoGrad ignored = NoGrad.enter()) {
            while (length < ids.length) {
                int id = sampler.next(next.logits(ids, length));
                if (options.isEnd(id)) break;
                ids[length++] = id;
                if (!listener.onToken(id)) break;
            }
        } finally {
            if (switchMode) model.train();
        }
        return Arrays.copyOfRange(ids, prompt.length, length);
    }

    /** Logits of the token following ids[0 … length). */
    private interface NextLogits {
        float[] logits(int[] ids, int length);
    }

    /** The book's way: a full forward pass over the window of the last {@code context} tokens. */
    private float[] uncached(int[] ids, int length) {
        int start = Math.max(0, length - model.config().contextLength()), t = length - start;
        Tensor hidden = model.hidden(Arrays.copyOfRange(ids, start, length), 1, t); // [1, t, emb]
        int emb = model.config().embDim();
        float[] last = Arrays.copyOfRange(hidden.data(), (t - 1) * emb, t * emb);
        return model.head(Tensor.of(last, 1, emb)).data();
    }

    /** Prefill once, then one cached step per token; a full rebuild of the window once it slides. */
    private record Cached(KVCacheDecoder decoder) implements NextLogits {
        @Override
        public float[] logits(int[] ids, int length) {
            if (length <= decoder.capacity() && decoder.length() == length - 1) {
                return decoder.append(ids[length - 1]);
            }
            int start = Math.max(0, length - decoder.capacity());
            return decoder.prefill(Arrays.copyOfRange(ids, start, length));
        }
    }
}
