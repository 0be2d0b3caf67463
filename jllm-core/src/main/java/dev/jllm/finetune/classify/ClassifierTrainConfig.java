package dev.jllm.finetune.classify;

import dev.jllm.Setting;
import dev.jllm.SettingException;
import dev.jllm.train.TrainConfig;

/**
 * The settings of a classification finetune (the book's chapter 6 defaults in {@link #book()}).
 *
 * @param epochs      passes over the training set
 * @param batchSize   messages per step (the last incomplete training batch is dropped, as the book's loader does)
 * @param lr          AdamW's learning rate (constant)
 * @param weightDecay AdamW's decoupled weight decay, on every trainable parameter
 * @param evalEvery   evaluate loss and accuracy on the training and validation sets every this many steps
 * @param evalBatches batches of each set those evaluations average over
 * @param seed        seeds the shuffling, the head's initialisation, LoRA's A matrices and the dropout
 * @param clip        global gradient-norm clip; 0 for none (the book's)
 */
public record ClassifierTrainConfig(int epochs, int batchSize, double lr, double weightDecay, int evalEvery,
                                    int evalBatches, long seed, double clip) {

    public ClassifierTrainConfig {
        if (epochs < 1) throw new SettingException(Setting.EPOCHS, " must be >= 1, got " + epochs);
        if (batchSize < 1) throw new SettingException(Setting.BATCH_SIZE, " must be >= 1, got " + batchSize);
        if (!(lr > 0)) throw new SettingException(Setting.LEARNING_RATE, " must be positive, got " + lr);
        if (!(weightDecay >= 0)) throw new SettingException(Setting.WEIGHT_DECAY, " must be >= 0, got " + weightDecay);
        if (evalEvery < 1) throw new SettingException(Setting.EVAL_EVERY, " must be >= 1, got " + evalEvery);
        if (evalBatches < 1) throw new SettingException(Setting.EVAL_BATCHES, " must be >= 1, got " + evalBatches);
        if (!(clip >= 0)) throw new SettingException(Setting.GRADIENT_CLIP, " must be >= 0 (0: no clipping), got " + clip);
    }

    /** Without gradient clipping, as the book trains. */
    public ClassifierTrainConfig(int epochs, int batchSize, double lr, double weightDecay, int evalEvery,
                                 int evalBatches, long seed) {
        this(epochs, batchSize, lr, weightDecay, evalEvery, evalBatches, seed, 0);
    }

    /** The book's settings: 5 epochs, batch 8, lr 5e-5, weight decay 0.1, evaluation every 50 steps over 5 batches. */
    public static ClassifierTrainConfig book() {
        return new ClassifierTrainConfig(5, 8, 5e-5, 0.1, 50, 5, 123);
    }

    /**
     * The shared loop's settings for these: a constant learning rate, one batch per step, no text samples, and
     * checkpoints at each epoch's end; {@code length} is the padded length of the messages.
     */
    public TrainConfig loop(int length) {
        return TrainConfig.builder().contextLength(length).batchSize(batchSize).epochs(epochs).lr(lr)
                .weightDecay(weightDecay).clip(clip).evalEvery(evalEvery).evalBatches(evalBatches).seed(seed)
                .samplePrompt("").sampleTokens(0).build();
    }
}
