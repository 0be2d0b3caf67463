package dev.jllm.finetune.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.model.TestModels;
import dev.jllm.tensor.NoGrad;
import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GptClassifierTest {

    /** vocab 97, context 16, emb 32, 4 heads, 2 layers, no dropout. */
    static GptClassifier tiny(Pooling pooling, long seed) {
        GptConfig config = TestModels.tiny().withDropRate(0f);
        return new GptClassifier(TestModels.random(config, seed, 0.3), 3, pooling, new SplittableRandom(seed));
    }

    static ClassificationBatch batch() {
        // two messages of 5 and 3 real tokens, padded with id 0 to length 6
        int[] ids = {5, 9, 2, 40, 11, 0, 7, 3, 60, 0, 0, 0};
        return new ClassificationBatch(ids, new int[] {4, 2}, new int[] {2, 0}, 2, 6);
    }

    /**
     * The count on the real 124M classifier structure: LoRA is added to the modules of a model with GPT-2 small's
     * width and two of its blocks (the vocabulary and context, which LoRA does not touch, shrunk to keep the test
     * small); twelve blocks' adapters plus the head's give the book's 2,666,528.
     */
    @Test
    void loraOnThe124MStructureAddsTheBooksParameterCount() {
        GptConfig small = GptConfig.preset("gpt2-small");
        GptConfig twoBlocks = new GptConfig(1, 1, small.embDim(), small.nHeads(), 2, 0f, true, true);
        GptClassifier model = new GptClassifier(new GptModel(twoBlocks, new SplittableRandom(0)), 2, Pooling.LAST,
                new SplittableRandom(0));
        model.setTrainable(Trainable.LORA, 16, 16, new SplittableRandom(1));
        Map<String, Tensor> trainable = model.trainableParameters();
        assertThat(trainable.keySet()).allMatch(n -> n.contains(".lora."));
        long perBlock = count(trainable, "gpt.trf_blocks.0.");
        assertThat(count(trainable, "gpt.trf_blocks.1.")).isEqualTo(perBlock);
        long head = count(trainable, "out_head.");
        assertThat(perBlock + perBlock + head).isEqualTo(model.trainableParameterCount());
        assertThat(small.nLayers() * perBlock + head).isEqualTo(2_666_528L);
        assertThat(model.trainableParameterCount())
                .isEqualTo(LoRASizes.trainableParameters(LoRASizes.bookGptLinears(twoBlocks, 2), 16));
    }

    private static long count(Map<String, Tensor> params, String prefix) {
        return params.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToLong(e -> e.getValue().size()).sum();
    }

    @Test
    void trainableChoicesUnfreezeWhatTheyName() {
        GptClassifier m = tiny(Pooling.LAST, 1);
        m.setTrainable(Trainable.HEAD, 0, 0, null);
        assertThat(m.trainableParameters().keySet()).containsExactly("out_head.weight", "out_head.bias");
        m.setTrainable(Trainable.LAST_BLOCK, 0, 0, null);
        assertThat(prefixes(m)).containsExactly("gpt.trf_blocks.1", "gpt.final_norm", "out_head");
        m.setTrainable(Trainable.LAST_2_BLOCKS, 0, 0, null);
        assertThat(prefixes(m)).containsExactly("gpt.trf_blocks.0", "gpt.trf_blocks.1", "gpt.final_norm", "out_head");
        m.setTrainable(Trainable.ALL, 0, 0, null);
        assertThat(m.trainableParameterCount()).isEqualTo(m.parameterCount());
        assertThat(Trainable.parse("last-2-blocks")).isEqualTo(Trainable.LAST_2_BLOCKS);
        assertThatThrownBy(() -> Trainable.parse("middle")).hasMessageContaining("head, last-block, last-2-blocks, all, lora");
    }

    private static java.util.List<String> prefixes(GptClassifier m) {
        return m.trainableParameters().keySet().stream()
                .map(n -> n.startsWith("gpt.trf_blocks.") ? n.substring(0, "gpt.trf_blocks.0".length()) : n.substring(0, n.lastIndexOf('.')))
                .distinct().collect(Collectors.toList());
    }

    @Test
    void frozenParametersGetNoGradientsAndTrainableOnesDo() {
        for (Trainable t : new Trainable[] {Trainable.HEAD, Trainable.LAST_BLOCK, Trainable.LORA}) {
            GptClassifier m = tiny(Pooling.LAST, 2);
            m.setTrainable(t, 2, 2, new SplittableRandom(3));
            m.loss(batch()).backward();
            m.namedParameters().forEach((name, p) -> {
                if (p.requiresGrad()) assertThat(p.grad()).as(t + " " + name).isNotNull();
                else assertThat(p.grad()).as(t + " " + name).isNull();
            });
        }
    }

    @Test
    void lastPoolingReadsTheLastRealTokenAndMeanAveragesTheRealTokens() {
        for (Pooling pooling : Pooling.values()) {
            GptClassifier m = tiny(pooling, 4);
            ClassificationBatch b = batch();
            try (NoGrad g = NoGrad.enter()) {
                m.eval();
                float[] logits = m.logits(b).data();
                float[] hidden = m.gpt.hidden(b.ids(), 2, 6).data(); // [2, 6, 32]
                for (int r = 0; r < 2; r++) {
                    int last = b.lastIndex()[r];
                    float[] pooled = new float[32];
                    for (int t = pooling == Pooling.LAST ? last : 0; t <= last; t++) {
                        for (int c = 0; c < 32; c++) pooled[c] += hidden[(r * 6 + t) * 32 + c];
                    }
                    if (pooling == Pooling.MEAN) for (int c = 0; c < 32; c++) pooled[c] /= last + 1;
                    float[] expected = Ops.linear(Tensor.of(pooled, 1, 32), m.head.weight, m.head.bias).data();
                    for (int c = 0; c < 3; c++) {
                        assertThat(logits[r * 3 + c]).as(pooling + " row " + r).isCloseTo(expected[c], within(1e-5f));
                    }
                }
                // What follows the last real token (padding) cannot change the result.
                int[] otherPadding = b.ids().clone();
                otherPadding[5] = 50;
                otherPadding[9] = 77;
                float[] again = m.logits(new ClassificationBatch(otherPadding, b.lastIndex(), b.labels(), 2, 6)).data();
                assertThat(again).containsExactly(logits);
            }
        }
    }

    @Test
    void mergedBodyComputesWhatTheAdaptersCompute() {
        GptClassifier m = tiny(Pooling.LAST, 5);
        m.setTrainable(Trainable.LORA, 2, 4, new SplittableRandom(6));
        SplittableRandom rng = new SplittableRandom(7);
        m.namedParameters().forEach((name, p) -> {
            if (name.endsWith(".B")) for (int i = 0; i < p.size(); i++) p.data()[i] = (float) rng.nextGaussian() * 0.1f;
        });
        m.eval();
        ClassificationBatch b = batch();
        try (NoGrad g = NoGrad.enter()) {
            float[] withAdapters = m.gpt.hidden(b.ids(), 2, 6).data();
            float[] merged = m.mergedBody().hidden(b.ids(), 2, 6).data();
            float[] base = tiny(Pooling.LAST, 5).gpt.hidden(b.ids(), 2, 6).data();
            assertThat(Arrays.equals(withAdapters, base)).isFalse();
            for (int i = 0; i < merged.length; i++) assertThat(merged[i]).isCloseTo(withAdapters[i], within(1e-4f));
        }
    }

    @Test
    void theBodyMustNotCarryAnLmHead() {
        GptModel untied = new GptModel(TestModels.tiny().withTiedHead(false), new SplittableRandom(0));
        assertThatThrownBy(() -> new GptClassifier(untied, 2, Pooling.LAST, new SplittableRandom(0)))
                .hasMessageContaining("tied LM head");
    }
}
