package dev.jllm.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.model.BatchDecoder;
import dev.jllm.model.DecoderConfig;
import dev.jllm.model.DecoderModel;
import dev.jllm.model.DecoderWeights;
import dev.jllm.model.GroupedBatchDecoder;
import dev.jllm.model.GroupedDecoder;
import dev.jllm.model.PagedKvCache;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Continuous batching of Llama, Qwen3 and Gemma 3 through their own batched decoder ({@link GroupedBatchDecoder}):
 * greedy ids equal one-sequence decoding ({@link Generator} over {@link GroupedDecoder}) with prompts of different
 * lengths joining and leaving mid-way, prompts and generations longer than Gemma's sliding window; a seeded sampled
 * request writes the same tokens alone and in a batch of eight; bf16 weights decode batched as they do alone.
 */
class BatchedDecoderModelTest {
    private static final int VOCAB = 320;
    private static final int CONTEXT = 128;
    private static final int WINDOW = 16;
    private static final Map<DecoderConfig.Family, DecoderModel> MODELS = new EnumMap<>(DecoderConfig.Family.class);

    /**
     * A tiny model of the family: 3 layers, 4 query heads over 2 key/value heads of 16, Llama with the llama3 rope
     * scaling (original context 32) and biases, Gemma with sliding layers 0 and 2 (window 16) and soft-capped logits.
     * Matrices of std 0.1: logits far enough apart that greedy choices do not hinge on rounding, and varied texts.
     */
    static DecoderModel model(DecoderConfig.Family family) {
        return MODELS.computeIfAbsent(family, f -> {
            boolean gemma = f == DecoderConfig.Family.GEMMA3, llama = f == DecoderConfig.Family.LLAMA;
            DecoderConfig.Rope rope = llama ? new DecoderConfig.Rope(500000, "llama3", 8, 1, 4, 32)
                    : DecoderConfig.Rope.plain(10000);
            DecoderConfig c = new DecoderConfig(f, VOCAB, 64, 128, 3, 4, 2, 16, CONTEXT, 1e-6f, rope,
                    gemma ? DecoderConfig.Rope.plain(1000) : null, 16, gemma ? WINDOW : 0,
                    gemma ? List.of(true, false, true) : DecoderConfig.none(3), !llama, llama, gemma ? 30 : 0, 1,
                    List.of(2), -1);
            DecoderModel m = new DecoderModel(c);
            SplittableRandom rng = new SplittableRandom(f.ordinal() + 7);
            m.namedParameters().forEach((name, t) -> {
                float[] d = t.data();
                double std = t.rank() == 2 ? 0.1 : 0.05;
                float base = t.rank() == 1 && !gemma && name.endsWith("norm.weight") ? 1f : 0f;
                for (int i = 0; i < d.length; i++) d[i] = base + (float) (rng.nextGaussian() * std);
            });
            m.eval();
            BatchGeneratorTest.warmUp(m, 40);
            return m;
        });
    }

    /** Eight prompts of 1 to 40 tokens (40 > Gemma's window of 16). */
    static List<int[]> prompts() {
        SplittableRandom rng = new SplittableRandom(11);
        List<int[]> prompts = new ArrayList<>();
        for (int len : new int[] {5, 1, 17, 40, 3, 9, 26, 12}) {
            int[] p = new int[len];
            for (int i = 0; i < len; i++) p[i] = 3 + rng.nextInt(VOCAB - 3);
            prompts.add(p);
        }
        return prompts;
    }

    @ParameterizedTest
    @EnumSource(DecoderConfig.Family.class)
    void theModelDecodesBatchesWithItsOwnBatchedForwardPass(DecoderConfig.Family family) {
        DecoderModel m = model(family);
        BatchDecoder d = m.batchDecoder(PagedKvCache.holding(3, 2 * 16, 64));
        assertThat(d).isInstanceOf(GroupedBatchDecoder.class);
    }

    @ParameterizedTest
    @EnumSource(DecoderConfig.Family.class)
    void greedyBatchedIdsEqualOneSequenceDecoding(DecoderConfig.Family family) {
        DecoderModel m = model(family);
        List<int[]> prompts = prompts();
        List<GenerationOptions> options = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) options.add(GenerationOptions.greedy(12 + 5 * i));
        List<int[]> alone = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            alone.add(new Generator(m, w -> {}).generate(prompts.get(i), options.get(i)));
            assertThat(alone.get(i)).hasSize(12 + 5 * i); // no end token drawn: every sequence runs its length
        }
        // texts, not one token repeated: the comparison below can fail
        assertThat(alone.stream().flatMapToInt(java.util.Arrays::stream).distinct().count()).isGreaterThan(10);
        // all eight at once with 7-token prefill chunks; then at most three at a time, so that requests join as
        // others leave, mid-way through the others' generations
        for (BatchGenerator.Settings s : List.of(new BatchGenerator.Settings(8, 7, 8L * CONTEXT),
                new BatchGenerator.Settings(3, 10, 3L * CONTEXT))) {
            BatchGenerator batch = new BatchGenerator(m, s);
            List<int[]> together = batch.generate(prompts, options);
            for (int i = 0; i < prompts.size(); i++) {
                assertThat(together.get(i)).as("%s, max batch %d, prompt %d", family, s.maxBatch(), i)
                        .containsExactly(alone.get(i));
            }
            assertThat(batch.cache().blocksFree()).isEqualTo(batch.cache().blocksTotal());
        }
    }

    @ParameterizedTest
    @EnumSource(DecoderConfig.Family.class)
    void aSeededRequestWritesTheSameTokensAloneAndInABatchOfEight(DecoderConfig.Family family) {
        DecoderModel m = model(family);
        List<int[]> prompts = prompts();
        List<GenerationOptions> options = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            options.add(GenerationOptions.greedy(30).withSampling(0.7f + 0.1f * i, i % 2 == 0 ? 40 : 0,
                    i % 3 == 0 ? 0.9f : 1f, 1000 + i));
        }
        List<int[]> together = new BatchGenerator(m, new BatchGenerator.Settings(8, 16, 8L * CONTEXT))
                .generate(prompts, options);
        for (int i = 0; i < prompts.size(); i++) {
            List<int[]> alone = new BatchGenerator(m, new BatchGenerator.Settings(1, 64, CONTEXT))
                    .generate(List.of(prompts.get(i)), List.of(options.get(i)));
            assertThat(together.get(i)).as("%s request %d", family, i).containsExactly(alone.getFirst());
        }
        // the seeds matter: another seed gives another text
        assertThat(together.get(0)).isNotEqualTo(new BatchGenerator(m, BatchGenerator.Settings.of(1, CONTEXT))
                .generate(List.of(prompts.get(0)), List.of(options.get(0).withSampling(0.7f, 40, 0.9f, 7))).getFirst());
    }

    @ParameterizedTest
    @EnumSource(DecoderConfig.Family.class)
    void bf16WeightsDecodeTheSameBatchedAsAlone(DecoderConfig.Family family) {
        DecoderModel m = model(family);
        DecoderWeights bf16 = DecoderWeights.of(m, m.bf16Weights());
        List<int[]> prompts = prompts().subList(2, 5); // 17, 40 and 3 tokens
        int steps = 30;
        // alone: each prompt through its own GroupedDecoder, then greedy steps
        List<float[]> aloneLogits = new ArrayList<>();
        List<int[]> aloneIds = new ArrayList<>();
        for (int[] p : prompts) {
            GroupedDecoder dec = new GroupedDecoder(bf16, p.length + steps);
            float[] logits = dec.append(p);
            int[] ids = new int[steps];
            for (int t = 0; t < steps; t++) {
                ids[t] = argmax(logits);
                if (t == steps - 1) aloneLogits.add(logits);
                else logits = dec.append(ids[t]);
            }
            aloneIds.add(ids);
        }
        // batched: each prompt in one step of its own rows, then one row per sequence per step
        PagedKvCache cache = PagedKvCache.holding(3, 2 * 16, 3L * CONTEXT);
        GroupedBatchDecoder dec = new GroupedBatchDecoder(bf16, cache);
        int n = prompts.size();
        PagedKvCache.Sequence[] seqs = new PagedKvCache.Sequence[n];
        int[][] ids = new int[n][steps];
        for (int s = 0; s < n; s++) {
            int[] p = prompts.get(s);
            seqs[s] = cache.open();
            assertThat(cache.reserve(seqs[s], p.length + steps)).isTrue();
            int[] positions = new int[p.length];
            PagedKvCache.Sequence[] rows = new PagedKvCache.Sequence[p.length];
            for (int i = 0; i < p.length; i++) {
                positions[i] = i;
                rows[i] = seqs[s];
            }
            float[] logits = dec.step(p, rows, positions, p.length, new int[] {p.length - 1}, 1);
            seqs[s].setLength(p.length);
            ids[s][0] = argmax(logits);
        }
        float[] last = null;
        for (int t = 1; t < steps; t++) {
            int[] next = new int[n], positions = new int[n], all = new int[n];
            for (int s = 0; s < n; s++) {
                next[s] = ids[s][t - 1];
                positions[s] = seqs[s].length();
                all[s] = s;
            }
            last = dec.step(next, seqs, positions, n, all, n);
            for (int s = 0; s < n; s++) {
                seqs[s].setLength(positions[s] + 1);
                ids[s][t] = argmax(java.util.Arrays.copyOfRange(last, s * VOCAB, (s + 1) * VOCAB));
            }
        }
        for (int s = 0; s < n; s++) {
            assertThat(ids[s]).as("%s sequence %d", family, s).containsExactly(aloneIds.get(s));
            for (int j = 0; j < VOCAB; j++) {
                assertThat(last[s * VOCAB + j]).isCloseTo(aloneLogits.get(s)[j],
                        org.assertj.core.data.Offset.offset(1e-3f * Math.max(1f, Math.abs(aloneLogits.get(s)[j]))));
            }
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) if (v[j] > v[best]) best = j;
        return best;
    }
}
