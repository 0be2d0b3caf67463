package dev.jllm.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.model.GptModel;
import dev.jllm.model.KVCacheDecoder;
import dev.jllm.model.TestModels;
import dev.jllm.model.WeightType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GeneratorTest {

    static final GptModel MODEL = TestModels.random(TestModels.tiny(), 11, 0.3); // context 16

    static {
        MODEL.eval(); // its forward pass is the reference: no dropout
    }

    static int[] generate(int[] prompt, GenerationOptions options) {
        return new Generator(MODEL, w -> {}).generate(prompt, options);
    }

    @Test
    void kvCacheGivesTheSameIdsAsFullForwardPasses() {
        // prompts of one token, a few, and the whole context; 40 new tokens run well past the context of 16
        for (int[] prompt : new int[][] {{3}, {5, 9, 2, 77}, new int[16]}) {
            for (GenerationOptions o : List.of(GenerationOptions.greedy(40),
                    GenerationOptions.greedy(40).withSampling(1f, 0, 1f, 7),
                    GenerationOptions.greedy(40).withSampling(0.8f, 10, 0.9f, 8))) {
                int[] cached = generate(prompt, o.withKvCache(true));
                assertThat(cached).hasSize(40);
                assertThat(generate(prompt, o.withKvCache(false))).as("prompt %d, %s", prompt.length, o)
                        .containsExactly(cached);
            }
        }
    }

    @Test
    void cachedLogitsEqualTheModelsForward() {
        int[] ids = {4, 8, 15, 16, 23, 42, 7};
        float[] full = MODEL.forward(ids, 1, ids.length).data();
        KVCacheDecoder decoder = MODEL.decoder();
        float[] prefill = decoder.append(4, 8, 15, 16);
        decoder.append(23);
        decoder.append(42);
        float[] step = decoder.append(7);
        int v = MODEL.config.vocabSize();
        for (int j = 0; j < v; j++) {
            assertThat(prefill[j]).isCloseTo(full[3 * v + j], org.assertj.core.data.Offset.offset(1e-4f));
            assertThat(step[j]).isCloseTo(full[6 * v + j], org.assertj.core.data.Offset.offset(1e-4f));
        }
        assertThat(decoder.length()).isEqualTo(7);
    }

    @Test
    void aCacheSizedForTheGenerationHoldsExactlyThatManyPositions() {
        KVCacheDecoder small = MODEL.decoder(5, null), full = MODEL.decoder();
        assertThat(small.capacity()).isEqualTo(5);
        assertThat(small.append(4, 8, 15)).containsExactly(full.append(4, 8, 15));
        small.append(16);
        assertThat(small.append(23)).containsExactly(full.append(16, 23));
        assertThatThrownBy(() -> small.append(42)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("KV cache full");
        assertThatThrownBy(() -> MODEL.decoder(MODEL.config.contextLength() + 1, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity");
        assertThatThrownBy(() -> MODEL.decoder(0, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sameSeedSameTokensOtherSeedOtherTokens() {
        GenerationOptions o = GenerationOptions.greedy(30).withSampling(1.2f, 0, 1f, 99);
        int[] a = generate(new int[] {1, 2}, o);
        assertThat(generate(new int[] {1, 2}, o)).containsExactly(a);
        assertThat(generate(new int[] {1, 2}, o.withSampling(1.2f, 0, 1f, 100))).isNotEqualTo(a);
    }

    @Test
    void topKOfOneIsGreedy() {
        assertThat(generate(new int[] {6, 6}, GenerationOptions.greedy(20).withSampling(1f, 1, 1f, 3)))
                .containsExactly(generate(new int[] {6, 6}, GenerationOptions.greedy(20)));
    }

    @Test
    void tokensStreamAsTheyComeAndTheListenerCanStop() {
        List<Integer> seen = new ArrayList<>();
        int[] ids = new Generator(MODEL).generate(new int[] {1}, GenerationOptions.greedy(10), id -> {
            seen.add(id);
            return seen.size() < 4;
        });
        assertThat(ids).hasSize(4);
        assertThat(seen).containsExactly(ids[0], ids[1], ids[2], ids[3]);
    }

    @Test
    void endTokenStopsAndIsNotReturned() {
        int[] free = generate(new int[] {1}, GenerationOptions.greedy(10));
        int[] stopped = generate(new int[] {1}, GenerationOptions.greedy(10).withEndId(free[3]));
        int firstEnd = 0;
        while (free[firstEnd] != free[3]) firstEnd++;
        assertThat(stopped).containsExactly(java.util.Arrays.copyOf(free, firstEnd));
    }

    @Test
    void longPromptsAreCroppedWithAWarning() {
        int[] prompt = new int[20];
        for (int i = 0; i < prompt.length; i++) prompt[i] = i + 1;
        List<String> warnings = new ArrayList<>();
        int[] ids = new Generator(MODEL, warnings::add).generate(prompt, GenerationOptions.greedy(5));
        assertThat(warnings).singleElement().asString().contains("20 tokens").contains("last 16");
        assertThat(ids).containsExactly(generate(java.util.Arrays.copyOfRange(prompt, 4, 20), GenerationOptions.greedy(5)));
    }

    @Test
    void badInputIsAClearError() {
        assertThatThrownBy(() -> generate(new int[] {3, 97}, GenerationOptions.greedy(1)))
                .hasMessage("token id 97 is outside the vocabulary (size 97)");
        assertThatThrownBy(() -> generate(new int[0], GenerationOptions.greedy(1))).hasMessageContaining("no tokens");
        assertThatThrownBy(() -> GenerationOptions.greedy(1).withSampling(-1f, 0, 1f, 0)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> GenerationOptions.greedy(1).withSampling(1f, 0, 0f, 0)).hasMessageContaining("top-p");
    }

    @Test
    void onlyTheUncachedPathSwitchesTheModeAndItIsRestored() {
        GptModel model = TestModels.random(TestModels.tiny(), 11, 0.3); // training mode, dropout 0.1
        List<Boolean> modes = new ArrayList<>();
        Generator generator = new Generator(model, w -> {});
        generator.generate(new int[] {1}, GenerationOptions.greedy(2), id -> modes.add(model.isTraining()));
        generator.generate(new int[] {1}, GenerationOptions.greedy(2).withKvCache(false),
                id -> modes.add(model.isTraining()));
        assertThat(modes).containsExactly(true, true, false, false);
        assertThat(model.isTraining()).isTrue();
    }

    @Test
    void threadsSharingAnEvalModelGetWhatEachGetsAlone() throws Exception {
        GptModel model = TestModels.random(TestModels.tiny(), 12, 0.3);
        model.eval();
        Generator generator = new Generator(model, w -> {});
        int n = 8;
        List<GenerationOptions> options = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // top-k 5: few probability boundaries, so a last-bit difference between a cold and a JIT-compiled
            // kernel (Vector API lane sums) cannot plausibly flip a sampled token between the two runs
            options.add(GenerationOptions.greedy(30).withSampling(1f, 5, 1f, i).withKvCache(i % 2 == 0));
        }
        List<int[]> alone = new ArrayList<>();
        for (int i = 0; i < n; i++) alone.add(generator.generate(new int[] {i + 1, 2}, options.get(i)));
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(n)) {
            var start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<int[]>> together = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                together.add(pool.submit(() -> {
                    start.await();
                    return generator.generate(new int[] {k + 1, 2}, options.get(k));
                }));
            }
            start.countDown();
            for (int i = 0; i < n; i++) assertThat(together.get(i).get()).as("thread %d", i).containsExactly(alone.get(i));
        }
        assertThat(model.isTraining()).isFalse();
    }

    @Test
    void bf16WeightsGiveLogitsWithinBf16RoundingOfFp32AndTheSameGreedyIds() {
        int[] ids = {4, 8, 15, 16, 23, 42, 7};
        KVCacheDecoder fp32 = MODEL.decoder(), bf16 = MODEL.decoder(MODEL.config.contextLength(), MODEL.bf16Weights());
        for (int[] step : new int[][] {{4, 8, 15, 16}, {23}, {42}, {7}}) {
            float[] want = fp32.append(step), got = bf16.append(step);
            float scale = 0;
            for (float v : want) scale = Math.max(scale, Math.abs(v));
            double worst = 0;
            for (int i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
            // 8-bit mantissas: each weight is off by at most 2^-9 of itself; a few layers add that up
            assertThat(worst).as("after %d tokens", fp32.length()).isLessThanOrEqualTo(scale * 0x1p-6).isPositive();
        }
        Generator generator = new Generator(MODEL, w -> {}, WeightType.BF16);
        assertThat(generator.generate(ids, GenerationOptions.greedy(12)))
                .containsExactly(generate(ids, GenerationOptions.greedy(12)));
        assertThatThrownBy(() -> generator.generate(ids, GenerationOptions.greedy(2).withKvCache(false)))
                .hasMessageContaining("KV cache");
    }
}
