package dev.jllm.finetune.instruct;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.jllm.prompt.ChatFormat;
import dev.jllm.prompt.ModelFormat;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.train.TrainConfig;

/**
 * Everything an instruction-finetuning run is made from, saved under "training" in the run's config.json so that
 * {@code --resume} rebuilds the same run and {@code jllm chat} finds the prompt format ({@link ModelFormat#KEY}).
 *
 * @param model          the starting model (folder, file or name)
 * @param data           the instruction JSON file
 * @param format         the prompt format, {@code alpaca} or {@code phi3}, or {@code chat}: the model's own chat
 *                       template ({@link ChatFormat}), the loss on the assistant's replies only
 * @param maskPrompt     learn the response only
 * @param responseTokens most tokens generated per test response
 * @param loraRank       LoRA's rank, or 0 to train every weight
 * @param loraAlpha      LoRA's alpha (0 without LoRA)
 * @param train          the training settings ({@code contextLength} is the allowed maximum length)
 */
public record InstructSpec(String model, String data, String format, boolean maskPrompt, int responseTokens,
                           @JsonProperty("lora_rank") int loraRank, @JsonProperty("lora_alpha") float loraAlpha,
                           TrainConfig train) {

    public InstructSpec {
        if (!ChatFormat.NAME.equals(format)) PromptFormat.named(format);
        if (loraRank < 0 || (loraRank > 0 && !(loraAlpha > 0))) {
            throw new IllegalArgumentException("LoRA needs a positive rank and alpha, got rank " + loraRank
                    + " and alpha " + loraAlpha);
        }
        if (responseTokens < 1) throw new IllegalArgumentException("response tokens must be >= 1, got " + responseTokens);
    }

    /**
     * The book's settings (section 7.6): AdamW lr 5e-5 and weight decay 0.1, 2 epochs, batch 8, at most 1,024 tokens,
     * evaluation every 5 steps over 5 batches, seed 123; the sample after each epoch answers {@code samplePrompt}.
     */
    public static TrainConfig bookTraining(int epochs, double lr, int batch, int maxLength, long seed, String samplePrompt) {
        return TrainConfig.builder().contextLength(maxLength).batchSize(batch).epochs(epochs).lr(lr).seed(seed)
                .trainFraction(0.85).samplePrompt(samplePrompt).build();
    }

    public boolean lora() {
        return loraRank > 0;
    }

    /** Whether the run uses the model's chat template ({@link ChatFormat}) rather than a {@link PromptFormat}. */
    public boolean chat() {
        return ChatFormat.NAME.equals(format);
    }

    /** The book's prompt format; not for a {@link #chat} run. */
    public PromptFormat promptFormat() {
        return PromptFormat.named(format);
    }
}
