package dev.jllm.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Trains a byte-level BPE vocabulary (GPT-2's kind) on a corpus.
 *
 * <p>The corpus is split by the same {@link Pretokenizer} as encoding (and at special tokens), and the distinct
 * pieces are counted. Then, until the vocabulary is full, the most frequent adjacent token pair becomes a new
 * token. Pair counts are kept up to date incrementally: a merge only revisits the words that contain the pair
 * (found through a pair → words index) and adjusts the counts of the pairs in those words, and a max-heap with
 * lazily corrected counts finds the next pair, so there is no rescan of the corpus per merge.
 *
 * <p>Ids: the 256 bytes first (in the order of their byte-level characters, as in GPT-2), then one token per
 * merge, then the special tokens. Ties between equally frequent pairs go to the smaller ids, so training is
 * deterministic.
 */
public final class BpeTrainer {
    private BpeTrainer() {}

    /** Told after each merge: {@code done} of at most {@code total} merges. */
    @FunctionalInterface
    public interface Progress {
        void merged(int done, int total);

        Progress NONE = (done, total) -> {};
    }

    /** Trains on a UTF-8 text file (an error names the file when it is missing, empty or not UTF-8). */
    public static Gpt2Tokenizer train(Path corpus, int vocabSize, List<String> specials, Progress progress) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(corpus);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(corpus + ": corpus file not found");
        } catch (IOException e) {
            throw new IllegalArgumentException(corpus + ": cannot read the corpus: " + e.getMessage());
        }
        if (bytes.length == 0) throw new IllegalArgumentException(corpus + ": the corpus is empty");
        return train(Utf8.decodeStrict(bytes, corpus.toString()), vocabSize, specials, progress);
    }

    /**
     * Trains a vocabulary of {@code vocabSize} tokens (256 bytes + merges + {@code specials}); fewer when the corpus
     * runs out of pairs to merge.
     */
    public static Gpt2Tokenizer train(String corpus, int vocabSize, List<String> specials, Progress progress) {
        if (corpus.isEmpty()) throw new IllegalArgumentException("the corpus is empty");
        if (specials.stream().distinct().count() != specials.size() || specials.contains("")) {
            throw new IllegalArgumentException("special tokens must be distinct and non-empty: " + specials);
        }
        int targetMerges = vocabSize - 256 - specials.size();
        if (targetMerges < 0) {
            throw new IllegalArgumentException("vocabulary size %d is below 256 bytes + %d special tokens"
                    .formatted(vocabSize, specials.size()));
        }
        int[] byteIds = gpt2ByteIds();
        Words words = Words.count(corpus, specials, byteIds);
        List<byte[]> tokens = new ArrayList<>();
        for (int id = 0; id < 256; id++) tokens.add(null);
        for (int b = 0; b < 256; b++) tokens.set(byteIds[b], new byte[] {(byte) b});

        List<Vocabulary.Merge> merges = new ArrayList<>();
        PairCounts pairs = new PairCounts(words);
        while (merges.size() < targetMerges) {
            long pair = pairs.popMostFrequent();
            if (pair < 0) break; // no pair left: the corpus is fully merged
            int left = (int) (pair >>> 32);
            int right = (int) pair;
            int merged = tokens.size();
            tokens.add(Vocabulary.concat(tokens.get(left), tokens.get(right)));
            merges.add(new Vocabulary.Merge(left, right, merged));
            pairs.merge(left, right, merged);
            progress.merged(merges.size(), targetMerges);
        }
        Map<String, Integer> specialIds = new LinkedHashMap<>();
        for (String s : specials) {
            specialIds.put(s, tokens.size());
            tokens.add(Vocabulary.utf8(s));
        }
        return new Gpt2Tokenizer(new Vocabulary(tokens.toArray(new byte[0][]), byteIds, merges, specialIds));
    }

    /** GPT-2's ids of the bytes: their byte-level characters in increasing order. */
    private static int[] gpt2ByteIds() {
        Integer[] bytes = new Integer[256];
        for (int b = 0; b < 256; b++) bytes[b] = b;
        Arrays.sort(bytes, (a, b) -> Character.compare(ByteLevel.charOf(a), ByteLevel.charOf(b)));
        int[] ids = new int[256];
        for (int id = 0; id < 256; id++) ids[bytes[id]] = id;
        return ids;
    }

    /** The distinct pieces of the corpus as token sequences, with how often each occurs. */
    private record Words(int[][] symbols, int[] lengths, long[] counts) {

        static Words count(String corpus, List<String> specials, int[] byteIds) {
            Map<String, Integer> pieceCounts = new HashMap<>();
            int from = 0;
            while (from < corpus.length()) {
                int at = corpus.length();
                String found = null;
                for (String s : specials) {
                    int i = corpus.indexOf(s, from);
                    if (i >= 0 && i < at) {
                        at = i;
                        found = s;
                    }
                }
                for (int p = from; p < at; ) {
                    int e = Pretokenizer.pieceEnd(corpus, p, at);
                    pieceCounts.merge(corpus.substring(p, e), 1, Integer::sum);
                    p = e;
                }
                if (found == null) break;
                from = at + found.length();
            }
            int n = pieceCounts.size();
            int[][] symbols = new int[n][];
            int[] lengths = new int[n];
            long[] counts = new long[n];
            int w = 0;
            for (Map.Entry<String, Integer> e : pieceCounts.entrySet()) {
                byte[] bytes = Vocabulary.utf8(e.getKey());
                symbols[w] = new int[bytes.length];
                for (int i = 0; i < bytes.length; i++) symbols[w][i] = byteIds[bytes[i] & 0xFF];
                lengths[w] = bytes.length;
                counts[w] = e.getValue();
                w++;
            }
            return new Words(symbols, lengths, counts);
        }
    }

    /** Pair counts over all words, the words each pair occurs in, and a heap to find the most frequent pair. */
    private static final class PairCounts {
        private final Words words;
        private final Map<Long, long[]> counts = new HashMap<>(); // pair -> {count}
        private final Map<Long, List<Integer>> wordsOf = new HashMap<>(); // pair -> words it occurs or occurred in
        /** Heap entries {count, pair}: most frequent first, then the smaller pair; stale counts are fixed on pop. */
        private final PriorityQueue<long[]> heap = new PriorityQueue<>((x, y) ->
                x[0] != y[0] ? Long.compare(y[0], x[0]) : Long.compare(x[1], y[1]));
        private final int[] visited;
        private int stamp;

        PairCounts(Words words) {
            this.words = words;
            this.visited = new int[words.symbols().length];
            for (int w = 0; w < words.symbols().length; w++) {
                addPairs(w, +1);
                int[] s = words.symbols()[w];
                for (int i = 0; i + 1 < words.lengths()[w]; i++) index(pair(s[i], s[i + 1]), w);
            }
            counts.forEach((pair, c) -> heap.add(new long[] {c[0], pair}));
        }

        private static long pair(int left, int right) {
            return (long) left << 32 | right;
        }

        /** Adds ({@code sign = +1}) or removes ({@code -1}) the pairs of word {@code w} to the counts. */
        private void addPairs(int w, int sign) {
            int[] s = words.symbols()[w];
            long c = words.counts()[w] * sign;
            for (int i = 0; i + 1 < words.lengths()[w]; i++) {
                counts.computeIfAbsent(pair(s[i], s[i + 1]), k -> new long[1])[0] += c;
            }
        }

        private void index(long pair, int w) {
            wordsOf.computeIfAbsent(pair, k -> new ArrayList<>()).add(w);
        }

        /** The most frequent pair (removed from the heap), or -1 when no pair occurs any more. */
        long popMostFrequent() {
            while (!heap.isEmpty()) {
                long[] top = heap.poll();
                long current = counts.get(top[1])[0]; // 0 for a pair already merged
                if (current == top[0]) return current > 0 ? top[1] : -1;
                if (current > 0) heap.add(new long[] {current, top[1]}); // stale: re-queue with the true count
            }
            return -1;
        }

        /** Replaces {@code left right} by {@code merged} in every word that has it, and updates the counts. */
        void merge(int left, int right, int merged) {
            long target = pair(left, right);
            stamp++;
            Set<Long> touched = new HashSet<>();
            for (int w : wordsOf.remove(target)) {
                if (visited[w] == stamp) continue;
                visited[w] = stamp;
                addPairs(w, -1);
                int[] s = words.symbols()[w];
                int n = words.lengths()[w];
                int out = 0;
                for (int i = 0; i < n; i++) {
                    if (i + 1 < n && s[i] == left && s[i + 1] == right) {
                        s[out++] = merged;
                        i++;
                    } else {
                        s[out++] = s[i];
                    }
                }
                words.lengths()[w] = out;
                addPairs(w, +1);
                for (int i = 0; i + 1 < out; i++) {
                    if (s[i] == merged || s[i + 1] == merged) {
                        long p = pair(s[i], s[i + 1]);
                        touched.add(p);
                        index(p, w); // the words of older pairs are indexed already (a stale entry is skipped)
                    }
                }
            }
            // only pairs with the new token gained counts; the others only lost some (fixed lazily on pop)
            for (long p : touched) heap.add(new long[] {counts.get(p)[0], p});
        }
    }
}
