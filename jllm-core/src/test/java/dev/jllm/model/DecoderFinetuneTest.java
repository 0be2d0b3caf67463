package dev.jllm.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.finetune.classify.GptClassifier;
import dev.jllm.finetune.classify.Pooling;
import dev.jllm.finetune.classify.Trainable;
import dev.jllm.io.DecoderFiles;
import dev.jllm.nn.LoRA;
import dev.jllm.optim.AdamW;
import dev.jllm.tensor.NoGrad;
import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finetuning Llama, Qwen3 and Gemma 3 through the model interface: LoRA on a frozen base (only adapters move, the
 * merged copy computes what the adapted model does), and a classification head on the last token's hidden state.
 */
class DecoderFinetuneTest {

    static DecoderModel load(String family) throws IOException {
        return DecoderFiles.load(Path.of("src/test/resources/dev/jllm/model/modern").resolve(family).resolve("model"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen3", "gemma3"})
    void loraTrainsOnlyItsAdaptersAndMergesExactly(String family) throws IOException {
        DecoderModel base = load(family);
        DecoderModel m = base.copy(0f, CausalLM.Head.UNTIED, new SplittableRandom(1));
        m.freeze();
        m.addLoRA(4, 8f, true, new SplittableRandom(2));
        assertThat(m.hasLoRA()).isTrue();
        assertThat(m.trainableParameters().keySet()).allMatch(LoRA::isAdapter).hasSize(m.config.nLayers() * 14 + 2);
        int t = 24;
        int[] x = new int[2 * t], y = new int[2 * t];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i * 13 + 5) % m.config.vocabSize();
            y[i] = (i * 7 + 3) % m.config.vocabSize();
        }
        Tensor before = base.namedParameters().get("model.layers.0.self_attn.q_proj.weight");
        AdamW opt = new AdamW(m.trainableParameters(), AdamW.Options.withWeightDecay(0));
        float first = 0, last = 0;
        for (int step = 0; step < 8; step++) {
            opt.zeroGrad();
            Tensor loss = m.loss(x, y, 2, t);
            loss.backward();
            opt.step(1e-2);
            if (step == 0) first = loss.item();
            last = loss.item();
        }
        assertThat(last).isLessThan(first);
        assertThat(m.namedParameters().get("model.layers.0.self_attn.q_proj.weight").data()).containsExactly(before.data());
        DecoderModel merged = m.merged();
        assertThat(merged.hasLoRA()).isFalse();
        try (var ignored = NoGrad.enter()) {
            float[] a = m.forward(x, 2, t).data(), b = merged.forward(x, 2, t).data();
            for (int i = 0; i < a.length; i++) assertThat(b[i]).isCloseTo(a[i], org.assertj.core.data.Offset.offset(2e-3f));
            // the merged model's KV-cache decoder agrees with its forward pass
            float[] full = merged.forward(Arrays.copyOf(x, t), 1, t).data();
            float[] step = merged.decoder(t, null).append(Arrays.copyOf(x, t));
            int v = merged.config.vocabSize();
            for (int i = 0; i < v; i++) {
                assertThat(step[i]).isCloseTo(full[(t - 1) * v + i], org.assertj.core.data.Offset.offset(1e-3f));
            }
        }
        assertThat(m.stateDict().keySet()).noneMatch(LoRA::isAdapter);
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen3", "gemma3"})
    void aClassifierLearnsOnTheLastTokensHiddenState(String family) throws IOException {
        DecoderModel body = load(family).copy(0f, CausalLM.Head.TIED, new SplittableRandom(1));
        var clf = new GptClassifier(body, 2, Pooling.LAST, new SplittableRandom(3));
        clf.setTrainable(Trainable.LAST_BLOCK, 0, 0, new SplittableRandom(4));
        int t = 10, batch = 4;
        int[] ids = new int[batch * t], last = new int[batch], labels = {0, 1, 0, 1};
        for (int i = 0; i < ids.length; i++) ids[i] = (i * 31 + 7) % body.config.vocabSize();
        Arrays.fill(last, t - 1);
        AdamW opt = new AdamW(clf.trainableParameters(), AdamW.Options.withWeightDecay(0));
        float first = 0, loss = 0;
        for (int step = 0; step < 15; step++) {
            opt.zeroGrad();
            Tensor l = Ops.crossEntropy(clf.logits(ids, last, batch, t), labels);
            l.backward();
            opt.step(5e-3);
            if (step == 0) first = l.item();
            loss = l.item();
        }
        assertThat(loss).isLessThan(first * 0.5f);
    }
}
