package dev.jllm.finetune.dpo;

import dev.jllm.prompt.ChatFormat;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.train.TrainConfig;

/**
 * The settings of a DPO run, saved under "training" in the run's config.json so that {@code --resume} rebuilds the
 * same run and {@code jllm chat} finds the prompt format.
 *
 * @param model       the starting (instruction-finetuned) model, folder, file or name; also the frozen reference
 * @param data        the preference JSON file
 * @param beta        how far the policy may move from the reference (the book's 0.1)
 * @param lr          AdamW learning rate (the book's 5e-6)
 * @param weightDecay AdamW weight decay (the book's 0.01)
 * @param epochs      passes over the training pairs (the book's 1)
 * @param batchSize   preference pairs per step (the book's 8)
 * @param maxLength   longest sequence kept (the book's 1,024, or the model's context if shorter)
 * @param evalEvery   evaluate every this many steps (also before the first and after the last)
 * @param evalBatches batches of the training and the validation pairs each evaluation averages over
 * @param seed        seeds the shuffling
 * @param format      the prompt format the pairs are written in (the SFT model's): {@code alpaca}, {@code phi3}, or
 *                    {@code chat}, the model's own chat template ({@link ChatFormat})
 * @param loraRank    0: train every weight of the policy; else the rank of LoRA adapters on its blocks' Linears,
 *                    over its frozen weights (a bf16 checkpoint's stay bf16, shared with the reference)
 * @param loraAlpha   LoRA's alpha (with a rank)
 */
public record DpoConfig(String model, String data, double beta, double lr, double weightDecay, int epochs, int batchSize, int maxLength,
                        int evalEvery, int evalBatches, long seed, String format, int loraRank, float loraAlpha) {

    /** Training every weight (no LoRA). */
    public DpoConfig(String model, String data, double beta, double lr, double weightDecay, int epochs, int batchSize,
                     int maxLength, int evalEvery, int evalBatches, long seed, String format) {
        this(model, data, beta, lr, weightDecay, epochs, batchSize, maxLength, evalEvery, evalBatches, seed, format, 0, 0f);
    }

    public DpoConfig {
        if (!(beta > 0)) throw new IllegalArgumentException("beta must be positive, got " + beta);
        if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be positive, got " + lr);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        if (epochs < 1 || batchSize < 1 || maxLength < 2 || evalEvery < 1 || evalBatches < 1) {
            throw new IllegalArgumentException("epochs, batch, eval-every and eval-batches must be >= 1 and the maximum"
                    + " length >= 2: " + this);
        }
        if (!ChatFormat.NAME.equals(format)) PromptFormat.named(format);
        if (loraRank < 0 || (loraRank > 0 && !(loraAlpha > 0))) {
            throw new IllegalArgumentException("LoRA needs a positive rank and alpha, got rank " + loraRank + " and alpha "
                    + loraAlpha);
        }
    }

    /** Whether the policy trains LoRA adapters rather than every weight. */
    public boolean lora() {
        return loraRank > 0;
    }

    /** The book's settings (β 0.1, lr 5e-6, weight decay 0.01, 1 epoch, batch 8, evaluation every 5 steps). */
    public static DpoConfig book(String model, String data, String format) {
        return new DpoConfig(model, data, 0.1, 5e-6, 0.01, 1, 8, 1024, 5, 5, 123, format);
    }

    /**
     * The training loop's settings: a constant learning rate, no clipping, one step per batch, no samples; the
     * sequence length is {@code maxLength}.
     */
    public TrainConfig train() {
        return TrainConfig.builder().contextLength(maxLength).batchSize(batchSize).epochs(epochs).lr(lr)
                .weightDecay(weightDecay).evalEvery(evalEvery).evalBatches(evalBatches).seed(seed).trainFraction(1.0)
                .samplePrompt("").sampleTokens(0).build();
    }

    /** Whether the pairs are written in the model's chat template ({@link ChatFormat}). */
    public boolean chat() {
        return ChatFormat.NAME.equals(format);
    }

    /** The book's prompt format; not for a {@link #chat} run. */
    public PromptFormat promptFormat() {
        return PromptFormat.named(format);
    }
}
