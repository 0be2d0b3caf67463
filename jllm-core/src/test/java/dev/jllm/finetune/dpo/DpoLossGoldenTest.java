package dev.jllm.finetune.dpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.tensor.NoGrad;
import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The DPO loss, rewards and gradients against the book's PyTorch code (tools/reference/dpo_golden.py). */
class DpoLossGoldenTest {

    static Stream<Arguments> cases() throws IOException {
        try (InputStream in = DpoLossGoldenTest.class.getResourceAsStream("/golden/dpo/dpo.json")) {
            List<Arguments> list = new ArrayList<>();
            new ObjectMapper().readTree(in).get("cases").forEach(c -> list.add(Arguments.of(c.get("name").asText(), c)));
            return list.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheBooksPyTorch(String name, JsonNode c) {
        int b = c.get("b").asInt(), t = c.get("t").asInt(), v = c.get("v").asInt();
        int[] chosen = ints(c.get("chosen")), rejected = ints(c.get("rejected"));
        boolean[] chosenMask = bools(c.get("chosen_mask")), rejectedMask = bools(c.get("rejected_mask"));
        Tensor policyChosen = Tensor.of(floats(c.get("policy_chosen_logits")), b, t, v).requiresGrad(true);
        Tensor policyRejected = Tensor.of(floats(c.get("policy_rejected_logits")), b, t, v).requiresGrad(true);
        float[] refChosen, refRejected;
        try (NoGrad g = NoGrad.enter()) {
            refChosen = Ops.meanTokenLogProbs(Tensor.of(floats(c.get("reference_chosen_logits")), b, t, v), chosen,
                    chosenMask).data();
            refRejected = Ops.meanTokenLogProbs(Tensor.of(floats(c.get("reference_rejected_logits")), b, t, v),
                    rejected, rejectedMask).data();
        }
        Tensor pc = Ops.meanTokenLogProbs(policyChosen, chosen, chosenMask);
        Tensor pr = Ops.meanTokenLogProbs(policyRejected, rejected, rejectedMask);
        assertClose(pc.data(), floats(c.get("policy_chosen_logprobs")), 1e-5);
        assertClose(pr.data(), floats(c.get("policy_rejected_logprobs")), 1e-5);

        DpoLoss.Value value = DpoLoss.of(pc, pr, refChosen, refRejected, (float) c.get("beta").asDouble());
        assertThat(value.loss().item()).isCloseTo((float) c.get("loss").asDouble(), within(1e-5f));
        double chosenReward = 0, rejectedReward = 0;
        for (int i = 0; i < b; i++) {
            chosenReward += value.chosenRewards()[i] / (double) b;
            rejectedReward += value.rejectedRewards()[i] / (double) b;
        }
        assertThat(chosenReward).isCloseTo(c.get("chosen_reward").asDouble(), within(1e-5));
        assertThat(rejectedReward).isCloseTo(c.get("rejected_reward").asDouble(), within(1e-5));
        assertThat(value.margin()).isCloseTo(chosenReward - rejectedReward, within(1e-6));
        assertThat(value.accuracy()).isCloseTo(c.get("reward_accuracy").asDouble(), within(1e-6));

        value.loss().backward();
        assertClose(policyChosen.grad(), floats(c.get("grad_policy_chosen_logits")), 1e-5);
        assertClose(policyRejected.grad(), floats(c.get("grad_policy_rejected_logits")), 1e-5);
    }

    /** max |a − b| ≤ tol · max(1, max |b|) */
    private static void assertClose(float[] a, float[] b, double tol) {
        assertThat(a).hasSize(b.length);
        double scale = 1;
        for (float x : b) scale = Math.max(scale, Math.abs(x));
        for (int i = 0; i < a.length; i++) {
            assertThat((double) a[i]).as("element " + i).isCloseTo(b[i], within(tol * scale));
        }
    }

    private static float[] floats(JsonNode n) {
        float[] x = new float[n.size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) n.get(i).asDouble();
        return x;
    }

    private static int[] ints(JsonNode n) {
        int[] x = new int[n.size()];
        for (int i = 0; i < x.length; i++) x[i] = n.get(i).asInt();
        return x;
    }

    private static boolean[] bools(JsonNode n) {
        boolean[] x = new boolean[n.size()];
        for (int i = 0; i < x.length; i++) x[i] = n.get(i).asBoolean();
        return x;
    }
}
