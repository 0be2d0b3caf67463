package dev.jllm.finetune.dpo;

import dev.jllm.model.CausalLM;
import dev.jllm.tensor.NoGrad;
import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;

/**
 * Direct preference optimisation (the book's chapter 7 bonus, {@code compute_dpo_loss}):
 * {@code loss = mean(−log σ(β · ((π_c − ref_c) − (π_r − ref_r))))}, where π_c is the policy's average log-probability
 * of the chosen response's tokens, ref_c the frozen reference model's, and r the same for the rejected response.
 * The rewards are {@code π_c − ref_c} and {@code π_r − ref_r} (without β, as the book logs them).
 */
public final class DpoLoss {
    private DpoLoss() {}

    /**
     * The loss of one batch, with its graph, and the rewards of its pairs.
     *
     * @param loss            [] scalar
     * @param chosenRewards   [B] π_c − ref_c
     * @param rejectedRewards [B] π_r − ref_r
     */
    public record Value(Tensor loss, float[] chosenRewards, float[] rejectedRewards) {
        /** Mean of chosen minus rejected reward. */
        public double margin() {
            double s = 0;
            for (int i = 0; i < chosenRewards.length; i++) s += chosenRewards[i] - rejectedRewards[i];
            return s / chosenRewards.length;
        }

        /** Share of pairs whose chosen reward is higher than the rejected one. */
        public double accuracy() {
            int n = 0;
            for (int i = 0; i < chosenRewards.length; i++) if (chosenRewards[i] > rejectedRewards[i]) n++;
            return (double) n / chosenRewards.length;
        }
    }

    /**
     * The loss from the sequence log-probabilities: {@code policyChosen} and {@code policyRejected} [B] carry the
     * gradient; the reference's [B] are constants.
     */
    public static Value of(Tensor policyChosen, Tensor policyRejected, float[] referenceChosen,
                           float[] referenceRejected, float beta) {
        int b = policyChosen.size();
        float[] chosenRewards = new float[b], rejectedRewards = new float[b], referenceRatio = new float[b];
        for (int i = 0; i < b; i++) {
            chosenRewards[i] = policyChosen.data()[i] - referenceChosen[i];
            rejectedRewards[i] = policyRejected.data()[i] - referenceRejected[i];
            referenceRatio[i] = referenceRejected[i] - referenceChosen[i]; // −(ref_c − ref_r)
        }
        Tensor policyRatio = Ops.add(policyChosen, Ops.scale(policyRejected, -1f));
        Tensor logits = Ops.add(policyRatio, Tensor.of(referenceRatio, b));
        Tensor loss = Ops.scale(Ops.mean(Ops.logSigmoid(Ops.scale(logits, beta))), -1f);
        return new Value(loss, chosenRewards, rejectedRewards);
    }

    /**
     * The loss of a batch: one forward pass of {@code policy} over the chosen and the rejected texts together
     * ([2B, T]; the policy's mode, training or evaluation, is the caller's), one of {@code reference} without autograd.
     */
    public static Value of(CausalLM policy, CausalLM reference, PreferenceBatch batch, float beta) {
        int b = batch.size(), t = batch.length();
        int[] ids = concat(batch.chosen(), batch.rejected());
        boolean[] mask = new boolean[2 * b * t];
        System.arraycopy(batch.chosenMask(), 0, mask, 0, b * t);
        System.arraycopy(batch.rejectedMask(), 0, mask, b * t, b * t);
        for (int i = 0; i < 2 * b; i++) requireResponse(mask, i, t);
        Tensor policyLogProbs = Ops.meanTokenLogProbs(policy.forward(ids, 2 * b, t), ids, mask); // [2B]
        float[] referenceLogProbs;
        try (NoGrad ignored = NoGrad.enter()) {
            referenceLogProbs = Ops.meanTokenLogProbs(reference.forward(ids, 2 * b, t), ids, mask).data();
        }
        float[] refChosen = new float[b], refRejected = new float[b];
        System.arraycopy(referenceLogProbs, 0, refChosen, 0, b);
        System.arraycopy(referenceLogProbs, b, refRejected, 0, b);
        return of(Ops.narrow(policyLogProbs, 0, 0, b), Ops.narrow(policyLogProbs, 0, b, b), refChosen, refRejected, beta);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = new int[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A response cut away entirely (by the maximum length) would make its average 0/0. */
    private static void requireResponse(boolean[] mask, int row, int t) {
        for (int j = 1; j < t; j++) if (mask[row * t + j]) return;
        throw new IllegalArgumentException("a preference pair has no response tokens left within " + t
                + " tokens (its prompt fills the allowed length)");
    }
}
