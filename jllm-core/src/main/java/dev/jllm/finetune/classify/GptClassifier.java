package dev.jllm.finetune.classify;

import dev.jllm.model.CausalLM;
import dev.jllm.nn.Linear;
import dev.jllm.nn.Module;
import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A language model whose head is replaced by a classification head, as in the book's chapter 6:
 * {@code Linear(emb, classes)} with bias, reading the hidden state of the last real token ({@link Pooling#LAST})
 * or the mean over the real tokens ({@link Pooling#MEAN}).
 *
 * <p>Parameter names: {@code gpt.*} for the body (the book's names, {@code gpt.trf_blocks.11.att.qkv.weight}),
 * {@code out_head.weight} and {@code out_head.bias} for the head, and {@code ...lora.A}/{@code ...lora.B} for LoRA
 * adapters. The body must have a tied (hence unused) LM head, so that no vocabulary-sized matrix is carried along.
 */
public final class GptClassifier extends Module {
    public final CausalLM gpt;
    /** [classes, emb] with bias [classes] */
    public final Linear head;
    public final Pooling pooling;

    /**
     * @param gpt     the body; its own LM head must be tied to the token embedding (and is not used): make it with
     *                {@code copy(dropRate, CausalLM.Head.TIED, rng)}
     * @param classes number of labels
     * @param rng     draws the head's initial weights, like PyTorch's {@code nn.Linear}: uniform in ±1/√emb
     */
    public GptClassifier(CausalLM gpt, int classes, Pooling pooling, RandomGenerator rng) {
        if (!gpt.config().tiedHead()) {
            throw new IllegalArgumentException("the classifier's body must have a tied LM head (it replaces the head);"
                    + " copy it with CausalLM.Head.TIED");
        }
        if (classes < 2) throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classes);
        this.gpt = child("gpt", gpt);
        this.head = child("out_head", new Linear(gpt.config().embDim(), classes, true));
        this.pooling = pooling;
        double bound = 1 / Math.sqrt(gpt.config().embDim());
        for (Tensor p : List.of(head.weight, head.bias)) {
            float[] v = p.data();
            for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextDouble(-bound, bound);
        }
    }

    public int classes() {
        return head.out;
    }

    /** ids [B, T] with each row's last real position → logits [B, classes]. */
    public Tensor logits(int[] ids, int[] lastIndex, int batch, int length) {
        Tensor hidden = gpt.hidden(ids, batch, length); // [B, T, emb]
        return head.forward(pooling.pool(hidden, lastIndex)); // [B, classes]
    }

    public Tensor logits(ClassificationBatch b) {
        return logits(b.ids(), b.lastIndex(), b.size(), b.length());
    }

    /** Mean cross-entropy of the batch's logits against its labels. */
    public Tensor loss(ClassificationBatch b) {
        return Ops.crossEntropy(logits(b), b.labels());
    }

    /**
     * Freezes the model and makes trainable what {@code trainable} names; for {@link Trainable#LORA} adds adapters of
     * {@code loraRank} and {@code loraAlpha} (ignored otherwise) to every Linear of the blocks and to the head.
     */
    public void setTrainable(Trainable trainable, int loraRank, float loraAlpha, RandomGenerator rng) {
        freeze();
        switch (trainable) {
            case HEAD -> head.unfreeze();
            case LAST_BLOCK -> unfreezeLastBlocks(1);
            case LAST_2_BLOCKS -> unfreezeLastBlocks(2);
            case ALL -> unfreeze();
            case LORA -> addLoRA(loraRank, loraAlpha, rng);
        }
    }

    private void unfreezeLastBlocks(int n) {
        gpt.unfreezeLastBlocks(n);
        head.unfreeze();
    }

    /** The book's {@code replace_linear_with_lora}: adapters on every Linear of the blocks and on the head. */
    private void addLoRA(int rank, float alpha, RandomGenerator rng) {
        gpt.addLoRA(rank, alpha, false, rng);
        head.addLoRA(rank, alpha, rng);
    }

    /** Whether LoRA adapters were added. */
    public boolean hasLoRA() {
        return !head.adapters().isEmpty();
    }

    /** The body as a plain GPT model with any LoRA adapters merged into its weights (a copy, for export). */
    public CausalLM mergedBody() {
        return gpt.merged();
    }
}
