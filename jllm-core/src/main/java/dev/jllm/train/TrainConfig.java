package dev.jllm.train;

import dev.jllm.Setting;
import dev.jllm.SettingException;
import dev.jllm.optim.AdamW;
import dev.jllm.optim.LrSchedule;

/**
 * The settings of a pretraining run (everything but the model's sizes), saved in the run's {@code config.json}.
 *
 * @param contextLength     tokens per training window
 * @param stride            step between window starts (equal to the context: no overlap)
 * @param batchSize         windows per micro-batch
 * @param gradAccum         micro-batches whose gradients are summed into one optimizer step
 * @param epochs            passes over the training windows (used when {@code maxSteps} is 0)
 * @param maxSteps          optimizer steps to take; 0 means "as many as {@code epochs} passes take"
 * @param lr                peak learning rate
 * @param minLr             learning rate at the end of the cosine decay (and at the start of the warm-up);
 *                          equal to {@code lr} with no warm-up means a constant rate
 * @param warmupSteps       linear warm-up steps
 * @param weightDecay       AdamW's decoupled weight decay
 * @param decayMatricesOnly decay only tensors of rank >= 2 (nanoGPT's rule) instead of every parameter (the book's)
 * @param clip              global gradient-norm clip; 0 for none
 * @param evalEvery         evaluate every this many optimizer steps (also before the first and after the last)
 * @param evalBatches       batches of the training and the validation data each evaluation averages over
 * @param seed              seeds the initial weights, the shuffling and the dropout
 * @param trainFraction     share of the text (in characters) used for training; the rest is validation
 * @param samplePrompt      prompt of the sample generated after each epoch
 * @param sampleTokens      tokens generated for each sample
 * @param checkpointEvery   also write a checkpoint every this many steps (0: only at epoch ends and at the end)
 */
public record TrainConfig(int contextLength, int stride, int batchSize, int gradAccum, int epochs, long maxSteps,
                          double lr, double minLr, long warmupSteps, double weightDecay, boolean decayMatricesOnly,
                          double clip, int evalEvery, int evalBatches, long seed, double trainFraction,
                          String samplePrompt, int sampleTokens, int checkpointEvery) {

    public TrainConfig {
        positive("context length", contextLength);
        positive("stride", stride);
        positive("batch size", batchSize);
        positive("gradient accumulation", gradAccum);
        if (evalEvery < 1) throw new SettingException(Setting.EVAL_EVERY, " must be >= 1, got " + evalEvery);
        if (evalBatches < 1) throw new SettingException(Setting.EVAL_BATCHES, " must be >= 1, got " + evalBatches);
        if (epochs < 1 && maxSteps < 1) throw new IllegalArgumentException("need epochs >= 1 or steps >= 1");
        if (maxSteps < 0) throw new IllegalArgumentException("steps must be >= 0, got " + maxSteps);
        if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be positive, got " + lr);
        if (!(minLr >= 0) || minLr > lr) {
            throw new IllegalArgumentException("the minimum learning rate must be in [0, " + lr + "] (the learning"
                    + " rate), got " + minLr);
        }
        if (warmupSteps < 0) throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmupSteps);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        if (!(clip >= 0)) throw new IllegalArgumentException("clip must be >= 0 (0: no clipping), got " + clip);
        if (!(trainFraction > 0 && trainFraction <= 1)) {
            throw new IllegalArgumentException("train fraction must be in (0, 1], got " + trainFraction);
        }
        if (sampleTokens < 0 || checkpointEvery < 0) {
            throw new IllegalArgumentException("sample tokens and the checkpoint interval must be >= 0");
        }
    }

    /** The book's chapter 5 settings: context 256, batch 2, lr 4e-4, weight decay 0.1, 10 epochs, eval every 5 steps. */
    public static TrainConfig book() {
        return builder().build();
    }

    /** Settings by name, starting from the book's chapter 5 run ({@link Builder} lists each default). */
    public static Builder builder() {
        return new Builder();
    }

    /** These settings by name, to change some of them. */
    public Builder toBuilder() {
        return builder().contextLength(contextLength).stride(stride).batchSize(batchSize).gradAccum(gradAccum)
                .epochs(epochs).maxSteps(maxSteps).lr(lr).minLr(minLr).warmupSteps(warmupSteps)
                .weightDecay(weightDecay).decayMatricesOnly(decayMatricesOnly).clip(clip).evalEvery(evalEvery)
                .evalBatches(evalBatches).seed(seed).trainFraction(trainFraction).samplePrompt(samplePrompt)
                .sampleTokens(sampleTokens).checkpointEvery(checkpointEvery);
    }

    /**
     * {@link TrainConfig} by name. The defaults are the book's chapter 5 run; see the record's parameters for what
     * each setting does.
     */
    public static final class Builder {
        private int contextLength = 256;
        private Integer stride;                         // default: the context length (windows do not overlap)
        private int batchSize = 2;
        private int gradAccum = 1;
        private int epochs = 10;
        private long maxSteps = 0;                      // 0: as many steps as the epochs take
        private double lr = 4e-4;
        private Double minLr;                           // default: lr (a constant rate without warm-up)
        private long warmupSteps = 0;
        private double weightDecay = 0.1;
        private boolean decayMatricesOnly = false;      // the book decays every parameter
        private double clip = 0;                        // no clipping
        private int evalEvery = 5;
        private int evalBatches = 5;
        private long seed = 123;
        private double trainFraction = 0.9;
        private String samplePrompt = "Every effort moves you";
        private int sampleTokens = 50;
        private int checkpointEvery = 0;                // checkpoints at epoch ends and at the end only

        private Builder() {}

        public Builder contextLength(int v) { contextLength = v; return this; }
        public Builder stride(int v) { stride = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder gradAccum(int v) { gradAccum = v; return this; }
        public Builder epochs(int v) { epochs = v; return this; }
        public Builder maxSteps(long v) { maxSteps = v; return this; }
        public Builder lr(double v) { lr = v; return this; }
        public Builder minLr(double v) { minLr = v; return this; }
        public Builder warmupSteps(long v) { warmupSteps = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder decayMatricesOnly(boolean v) { decayMatricesOnly = v; return this; }
        public Builder clip(double v) { clip = v; return this; }
        public Builder evalEvery(int v) { evalEvery = v; return this; }
        public Builder evalBatches(int v) { evalBatches = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder trainFraction(double v) { trainFraction = v; return this; }
        public Builder samplePrompt(String v) { samplePrompt = v; return this; }
        public Builder sampleTokens(int v) { sampleTokens = v; return this; }
        public Builder checkpointEvery(int v) { checkpointEvery = v; return this; }

        public TrainConfig build() {
            return new TrainConfig(contextLength, stride != null ? stride : contextLength, batchSize, gradAccum, epochs,
                    maxSteps, lr, minLr != null ? minLr : lr, warmupSteps, weightDecay, decayMatricesOnly, clip,
                    evalEvery, evalBatches, seed, trainFraction, samplePrompt, sampleTokens, checkpointEvery);
        }
    }

    /** The learning rate schedule these settings describe, for a run of {@code totalSteps} optimizer steps. */
    public LrSchedule schedule(long totalSteps) {
        if (warmupSteps == 0 && minLr == lr) return new LrSchedule.Constant(lr);
        return new LrSchedule.WarmupCosine(minLr, lr, minLr, warmupSteps, Math.max(1, totalSteps));
    }

    public AdamW.Options adamw() {
        AdamW.Options o = AdamW.Options.withWeightDecay(weightDecay);
        return decayMatricesOnly ? o.withDecayRule(AdamW.DecayRule.MATRICES_ONLY) : o;
    }

    private static void positive(String what, long value) {
        if (value < 1) throw new IllegalArgumentException(what + " must be >= 1, got " + value);
    }
}
