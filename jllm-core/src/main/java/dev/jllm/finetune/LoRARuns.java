package dev.jllm.finetune;

import dev.jllm.model.CausalLM;
import dev.jllm.nn.LoRA;
import dev.jllm.train.Checkpoint;
import java.util.SplittableRandom;

/** The LoRA side of a finetuning run (instruction tuning, DPO): adapters on a frozen base, fresh or from a checkpoint. */
public final class LoRARuns {
    private LoRARuns() {}

    /**
     * Freezes {@code model} and adds the book's LoRA adapters (appendix E) of {@code rank} and {@code alpha} to its
     * blocks, and to its head when {@code toHead}; from a checkpoint they take its saved values, else A is drawn
     * from {@code seed} and B starts at zero.
     */
    public static CausalLM attach(CausalLM model, int rank, float alpha, boolean toHead, long seed,
                                  Checkpoint.Loaded checkpoint) {
        model.freeze();
        model.addLoRA(rank, alpha, toHead, new SplittableRandom(seed));
        if (checkpoint != null) {
            if (checkpoint.adapters().isEmpty()) {
                throw new IllegalArgumentException("the run trains LoRA adapters but its checkpoint has no "
                        + LoRA.FILE);
            }
            LoRA.load(model, checkpoint.adapters(), LoRA.FILE + " of the checkpoint");
        }
        return model;
    }
}
