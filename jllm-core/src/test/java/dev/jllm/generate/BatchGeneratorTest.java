package dev.jllm.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.model.CausalLM;
import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.model.PagedKvCache;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Continuous batching against one-sequence decoding, and the batch's own rules (order, pool, cancellation). */
class BatchGeneratorTest {
    /** A small GPT with GPT-2's vocabulary, context 96: prompts of different lengths share every step. */
    static final GptModel MODEL = model();

    private static GptModel model() {
        GptModel m = GptModel.create(new GptConfig(GptConfig.GPT2_VOCAB, 96, 32, 2, 2, 0f, true, true), 3);
        m.eval();
        warmUp(m, 90);
        return m;
    }

    /**
     * Warms the kernels up with generations of {@code tokens} tokens, batched and alone: a Vector API lane sum may
     * round differently once C2 compiles it; comparisons of alone against batched run on warm code, as a server does.
     */
    static void warmUp(CausalLM m, int tokens) {
        for (int i = 0; i < 3; i++) {
            new BatchGenerator(m, BatchGenerator.Settings.of(4, m.config().contextLength())).generate(
                    List.of(new int[] {5}, new int[] {1, 2}), List.of(GenerationOptions.greedy(tokens),
                            GenerationOptions.greedy(tokens)));
            new Generator(m, w -> {}).generate(new int[] {5}, GenerationOptions.greedy(tokens));
        }
    }

    /** Eight prompts of 1 to 40 tokens. */
    static List<int[]> prompts() {
        SplittableRandom rng = new SplittableRandom(11);
        List<int[]> prompts = new ArrayList<>();
        for (int len : new int[] {5, 1, 17, 40, 3, 9, 26, 12}) {
            int[] p = new int[len];
            for (int i = 0; i < len; i++) p[i] = rng.nextInt(GptConfig.GPT2_VOCAB);
            prompts.add(p);
        }
        return prompts;
    }

    @Test
    void greedyBatchedIdsEqualOneSequenceDecoding() {
        List<int[]> prompts = prompts();
        List<GenerationOptions> options = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) options.add(GenerationOptions.greedy(20 + 3 * i));
        // prefill chunks of 7 tokens: long prompts take several steps beside the others' decoding
        BatchGenerator batch = new BatchGenerator(MODEL, new BatchGenerator.Settings(8, 7, 8 * 96));
        List<int[]> together = batch.generate(prompts, options);
        for (int i = 0; i < prompts.size(); i++) {
            int[] alone = new Generator(MODEL, w -> {}).generate(prompts.get(i), options.get(i));
            assertThat(together.get(i)).as("prompt %d", i).containsExactly(alone);
        }
        assertThat(batch.cache().blocksFree()).isEqualTo(batch.cache().blocksTotal());
    }

    @Test
    void aSeededRequestWritesTheSameTokensAloneAndInABatchOfEight() {
        List<int[]> prompts = prompts();
        List<GenerationOptions> options = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            options.add(new GenerationOptions(30, 0.7f + 0.1f * i, i % 2 == 0 ? 40 : 0, i % 3 == 0 ? 0.9f : 1f,
                    1000 + i, true, -1, List.of()));
        }
        List<int[]> together = new BatchGenerator(MODEL, new BatchGenerator.Settings(8, 16, 8 * 96))
                .generate(prompts, options);
        for (int i = 0; i < prompts.size(); i++) {
            List<int[]> alone = new BatchGenerator(MODEL, new BatchGenerator.Settings(1, 64, 96))
                    .generate(List.of(prompts.get(i)), List.of(options.get(i)));
            assertThat(together.get(i)).as("request %d", i).containsExactly(alone.getFirst());
            assertThat(together.get(i)).hasSize(30);
        }
        // the seeds matter: two different seeds give different texts
        assertThat(together.get(0)).isNotEqualTo(new BatchGenerator(MODEL, BatchGenerator.Settings.of(1, 96))
                .generate(List.of(prompts.get(0)), List.of(options.get(0).withSampling(0.7f, 40, 0.9f, 7))).getFirst());
    }

    @Test
    void aFullPoolQueuesRequestsFirstComeFirstServed() {
        // 3 blocks of 16 positions: each request (≤ 5 + 20 positions) needs 2, so one runs at a time
        BatchGenerator batch = new BatchGenerator(MODEL, new BatchGenerator.Settings(4, 64, 48));
        assertThat(batch.cache().blocksTotal()).isEqualTo(3);
        List<Integer> order = new ArrayList<>();
        List<BatchGenerator.Request> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int k = i;
            requests.add(batch.submit(prompts().get(0), GenerationOptions.greedy(20), new BatchGenerator.Listener() {
                @Override
                public void started() {
                    order.add(k);
                }

                @Override
                public boolean token(int id) {
                    return true;
                }
            }));
        }
        int steps = 0, peak = 0;
        while (batch.step() || batch.busy()) {
            peak = Math.max(peak, batch.running());
            steps++;
        }
        assertThat(peak).isEqualTo(1);
        assertThat(order).containsExactly(0, 1, 2, 3);
        int[] alone = new Generator(MODEL, w -> {}).generate(prompts().get(0), GenerationOptions.greedy(20));
        for (BatchGenerator.Request r : requests) {
            assertThat(r.finish()).isEqualTo(BatchGenerator.Finish.LENGTH);
            assertThat(r.tokens()).containsExactly(alone);
        }
        assertThat(steps).isGreaterThanOrEqualTo(4 * 20);
        // a request larger than the whole pool is refused at once
        assertThatThrownBy(() -> batch.submit(new int[40], GenerationOptions.greedy(20), id -> true))
                .hasMessageContaining("does not fit the KV pool");
    }

    @Test
    void aCancelledRequestLeavesAndGivesItsBlocksBack() {
        BatchGenerator batch = new BatchGenerator(MODEL, BatchGenerator.Settings.of(4, 96));
        AtomicInteger tokens = new AtomicInteger();
        BatchGenerator.Request r = batch.submit(prompts().get(2), GenerationOptions.greedy(60), id -> {
            tokens.incrementAndGet();
            return true;
        });
        BatchGenerator.Request other = batch.submit(prompts().get(4), GenerationOptions.greedy(10), id -> true);
        for (int i = 0; i < 5; i++) batch.step();
        assertThat(batch.cache().blocksFree()).isLessThan(batch.cache().blocksTotal());
        r.cancel();
        while (batch.step() || batch.busy()) {
            // the other one finishes
        }
        assertThat(r.finish()).isEqualTo(BatchGenerator.Finish.CANCELLED);
        assertThat(tokens.get()).isLessThan(10);
        assertThat(other.tokens()).containsExactly(new Generator(MODEL, w -> {}).generate(prompts().get(4),
                GenerationOptions.greedy(10)));
        assertThat(batch.cache().blocksFree()).isEqualTo(batch.cache().blocksTotal());
    }

    @Test
    void aListenerThatThrowsFailsOnlyItsOwnRequest() {
        BatchGenerator batch = new BatchGenerator(MODEL, BatchGenerator.Settings.of(4, 96));
        AtomicInteger seen = new AtomicInteger();
        BatchGenerator.Request failing = batch.submit(prompts().get(0), GenerationOptions.greedy(20), id -> {
            if (seen.incrementAndGet() == 3) throw new IllegalArgumentException("token id " + id + " cannot be decoded");
            return true;
        });
        BatchGenerator.Request other = batch.submit(prompts().get(4), GenerationOptions.greedy(20), id -> true);
        while (batch.step() || batch.busy()) {
            // the other one runs to its end
        }
        assertThat(failing.finish()).isEqualTo(BatchGenerator.Finish.FAILED);
        assertThat(failing.failure()).hasMessageContaining("cannot be decoded");
        assertThat(other.finish()).isEqualTo(BatchGenerator.Finish.LENGTH);
        assertThat(other.tokens()).containsExactly(new Generator(MODEL, w -> {}).generate(prompts().get(4),
                GenerationOptions.greedy(20)));
        assertThat(batch.cache().blocksFree()).isEqualTo(batch.cache().blocksTotal());
    }

    @Test
    void theEndTokenAndTheContextEndARequest() {
        int[] prompt = prompts().get(3); // 40 tokens
        int first = new Generator(MODEL, w -> {}).generate(prompt, GenerationOptions.greedy(1))[0];
        BatchGenerator batch = new BatchGenerator(MODEL, BatchGenerator.Settings.of(2, 96));
        List<int[]> out = batch.generate(List.of(prompt, prompt),
                List.of(GenerationOptions.greedy(5).withEndId(first), GenerationOptions.greedy(500)));
        assertThat(out.get(0)).isEmpty();
        assertThat(out.get(1)).hasSize(96 - 40); // up to the context's end
    }

    @Test
    void thePoolHandsOutAndTakesBackBlocks() {
        PagedKvCache pool = new PagedKvCache(2, 8, 4);
        PagedKvCache.Sequence a = pool.open(), b = pool.open();
        assertThat(pool.reserve(a, 17)).isTrue(); // 2 blocks
        assertThat(pool.blocksFree()).isEqualTo(2);
        assertThat(pool.reserve(b, 40)).isFalse(); // 3 blocks: nothing taken
        assertThat(pool.blocksFree()).isEqualTo(2);
        assertThat(pool.reserve(b, 32)).isTrue();
        assertThat(pool.blocksFree()).isZero();
        assertThat(pool.blocksAllocated()).isEqualTo(4);
        pool.release(a);
        assertThat(pool.blocksFree()).isEqualTo(2);
        assertThat(a.capacity()).isZero();
    }
}
