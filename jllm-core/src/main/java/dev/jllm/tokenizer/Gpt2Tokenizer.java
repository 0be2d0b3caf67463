package dev.jllm.tokenizer;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * GPT-2's byte-level BPE tokenizer, for GPT-2's own vocabulary ({@link #builtIn()}) or any vocabulary of the
 * same kind ({@link #load}, {@link BpeTrainer}).
 *
 * <p>Encoding: {@link Pretokenizer} splits the text into pieces; each piece's UTF-8 bytes start as one token
 * per byte and are merged by rank ({@link BytePairMerger}). The result for each piece is cached, since natural
 * text repeats its words. Thread-safe.
 */
public final class Gpt2Tokenizer implements Tokenizer {
    /** Where jtokkit keeps the r50k_base ranks, which are GPT-2's vocabulary. */
    private static final String R50K_RESOURCE = "/com/knuddels/jtokkit/r50k_base.tiktoken";
    /** The piece cache is cleared when it grows past this many entries. */
    private static final int CACHE_LIMIT = 1 << 17;

    private final Vocabulary vocab;
    private final PairTable rules;
    private final int[] byteIds;
    private final byte[][] tokens;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();
    private final int cacheLimit;
    private final ThreadLocal<Scratch> scratch;

    Gpt2Tokenizer(Vocabulary vocab) {
        this(vocab, CACHE_LIMIT);
    }

    /** With {@code cacheLimit} 0 nothing is cached (to measure the BPE itself). */
    Gpt2Tokenizer(Vocabulary vocab, int cacheLimit) {
        this.vocab = vocab;
        this.cacheLimit = cacheLimit;
        this.rules = vocab.pairTable();
        this.byteIds = vocab.byteIds().clone();
        this.tokens = vocab.tokens();
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(new BytePairMerger(rules)));
    }

    private static final class BuiltIn {
        static final Gpt2Tokenizer INSTANCE = readBuiltIn();

        private static Gpt2Tokenizer readBuiltIn() {
            InputStream in = Gpt2Tokenizer.class.getResourceAsStream(R50K_RESOURCE);
            if (in == null) {
                throw new IllegalStateException("GPT-2's vocabulary (" + R50K_RESOURCE + " from the jtokkit jar) "
                        + "is not on the class path");
            }
            return new Gpt2Tokenizer(VocabularyFiles.readTiktoken(in, "r50k_base.tiktoken"));
        }
    }

    /** GPT-2's vocabulary (50,257 tokens), offline: the r50k_base ranks shipped in the jtokkit jar. */
    public static Gpt2Tokenizer builtIn() {
        return BuiltIn.INSTANCE;
    }

    /** Whether {@code dir} holds vocabulary files for {@link #load} (vocab.json, merges.txt, encoder.json or vocab.bpe). */
    public static boolean hasVocabulary(Path dir) {
        return dir != null && Stream.of("vocab.json", "merges.txt", "encoder.json", "vocab.bpe")
                .anyMatch(f -> Files.exists(dir.resolve(f)));
    }

    /**
     * Loads the vocabulary in {@code dir}: Hugging Face's {@code vocab.json} + {@code merges.txt}, OpenAI's
     * {@code encoder.json} + {@code vocab.bpe}, or one tiktoken {@code *.tiktoken} rank file.
     */
    public static Gpt2Tokenizer load(Path dir) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": not a directory");
        String[][] pairs = {{"vocab.json", "merges.txt"}, {"encoder.json", "vocab.bpe"}};
        for (String[] pair : pairs) {
            Path vocabFile = dir.resolve(pair[0]);
            Path mergesFile = dir.resolve(pair[1]);
            boolean hasVocab = Files.exists(vocabFile);
            boolean hasMerges = Files.exists(mergesFile);
            if (hasVocab && hasMerges) return new Gpt2Tokenizer(VocabularyFiles.readJsonAndMerges(vocabFile, mergesFile));
            if (hasVocab || hasMerges) {
                throw new IllegalArgumentException("%s: has %s but no %s".formatted(
                        dir, hasVocab ? pair[0] : pair[1], hasVocab ? pair[1] : pair[0]));
            }
        }
        List<Path> rankFiles;
        try (Stream<Path> files = Files.list(dir)) {
            rankFiles = files.filter(p -> p.getFileName().toString().endsWith(".tiktoken")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        if (rankFiles.size() == 1) return new Gpt2Tokenizer(VocabularyFiles.readTiktoken(rankFiles.get(0)));
        throw new IllegalArgumentException(dir + (rankFiles.isEmpty()
                ? ": no vocabulary (expected vocab.json + merges.txt, encoder.json + vocab.bpe, or a .tiktoken file)"
                : ": more than one .tiktoken file " + rankFiles.stream().map(p -> p.getFileName().toString()).toList()));
    }

    /**
     * A tokenizer from token strings (by id, in GPT-2's byte-to-character spelling) and merge rules ("left right", by
     * rank), as a GGUF file's {@code tokenizer.ggml.tokens} and {@code tokenizer.ggml.merges} hold them.
     */
    public static Gpt2Tokenizer fromTokensAndMerges(String[] tokens, List<String> merges, Path source) {
        return new Gpt2Tokenizer(VocabularyFiles.fromTokensAndMerges(tokens, merges, source, source));
    }

    /** Every token as {@code vocab.json} spells it (byte-level characters; special tokens as themselves), by id. */
    public String[] tokenStrings() {
        String[] out = new String[vocab.tokens().length];
        for (int id = 0; id < out.length; id++) out[id] = VocabularyFiles.text(vocab, id);
        return out;
    }

    /** The merge rules by rank, as {@code merges.txt} lines ("left right"). */
    public List<String> mergeLines() {
        return vocab.merges().stream()
                .map(m -> VocabularyFiles.text(vocab, m.left()) + " " + VocabularyFiles.text(vocab, m.right())).toList();
    }

    /** Writes {@code vocab.json} + {@code merges.txt} (Hugging Face's format) into {@code dir}. */
    @Override
    public void save(Path dir) {
        VocabularyFiles.writeJsonAndMerges(vocab, dir.resolve("vocab.json"), dir.resolve("merges.txt"));
    }

    // ---- encoding ----

    @Override
    public int[] encode(String text, Set<String> allowedSpecial) {
        for (String special : vocab.specials().keySet()) {
            if (!allowedSpecial.contains(special) && text.contains(special)) {
                throw new SpecialTokenException(special, vocab.specials().get(special));
            }
        }
        for (String allowed : allowedSpecial) {
            if (!vocab.specials().containsKey(allowed)) {
                throw new IllegalArgumentException("'" + allowed + "' is not a special token of this vocabulary "
                        + vocab.specials().keySet());
            }
        }
        IntList out = new IntList(text.length() / 3 + 4);
        Scratch s = scratch.get();
        int from = 0;
        while (from < text.length()) {
            // the next allowed special token, if any: text before it is ordinary
            int at = text.length();
            String found = null;
            for (String special : allowedSpecial) {
                int i = text.indexOf(special, from);
                if (i >= 0 && i < at) {
                    at = i;
                    found = special;
                }
            }
            encodeOrdinary(text, from, at, out, s);
            if (found == null) break;
            out.add(vocab.specials().get(found));
            from = at + found.length();
        }
        return out.toArray();
    }

    @Override
    public int[] encodeOrdinary(String text) {
        IntList out = new IntList(text.length() / 3 + 4);
        encodeOrdinary(text, 0, text.length(), out, scratch.get());
        return out.toArray();
    }

    private void encodeOrdinary(String text, int from, int to, IntList out, Scratch s) {
        int p = from;
        while (p < to) {
            int end = Pretokenizer.pieceEnd(text, p, to);
            char c = text.charAt(p);
            if (end == p + 1 && c < 128) {
                out.add(byteIds[c]); // one ASCII character is always one byte token
            } else {
                out.addAll(cachedPiece(text, p, end, s));
            }
            p = end;
        }
    }

    private int[] cachedPiece(String text, int from, int to, Scratch s) {
        if (cacheLimit == 0) return encodePiece(text, from, to, s);
        String piece = text.substring(from, to);
        int[] ids = cache.get(piece);
        if (ids == null) {
            ids = encodePiece(text, from, to, s);
            if (cache.size() >= cacheLimit) cache.clear();
            cache.put(piece, ids);
        }
        return ids;
    }

    /** BPE of one piece: its UTF-8 bytes as byte tokens, merged by rank. */
    private int[] encodePiece(String text, int from, int to, Scratch s) {
        int n = s.utf8(text, from, to, byteIds);
        int count = s.merger.merge(s.ids, n);
        return Arrays.copyOf(s.ids, count);
    }

    // ---- decoding and the vocabulary ----

    @Override
    public byte[] decodeBytes(int[] ids) {
        int length = 0;
        for (int id : ids) {
            if (id < 0 || id >= tokens.length) {
                throw new IllegalArgumentException("token id %d is out of range: the vocabulary has ids 0..%d"
                        .formatted(id, tokens.length - 1));
            }
            length += tokens[id].length;
        }
        byte[] bytes = new byte[length];
        int at = 0;
        for (int id : ids) {
            System.arraycopy(tokens[id], 0, bytes, at, tokens[id].length);
            at += tokens[id].length;
        }
        return bytes;
    }

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    @Override
    public int eotId() {
        Integer id = vocab.specials().get(VocabularyFiles.END_OF_TEXT);
        if (id == null) throw new IllegalStateException("this vocabulary has no " + VocabularyFiles.END_OF_TEXT);
        return id;
    }

    @Override
    public Map<String, Integer> specialTokens() {
        return vocab.specials();
    }

    @Override
    public String piece(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException("token id %d is out of range 0..%d".formatted(id, tokens.length - 1));
        }
        return VocabularyFiles.text(vocab, id);
    }

    /** Number of merge rules. */
    public int mergeCount() {
        return vocab.merges().size();
    }

    Vocabulary vocabulary() {
        return vocab;
    }

    /** Per-thread buffers for encoding a piece. */
    private static final class Scratch {
        final BytePairMerger merger;
        int[] ids = new int[64];

        Scratch(BytePairMerger merger) {
            this.merger = merger;
        }

        /** Writes the byte tokens of {@code text[from, to)} into {@link #ids} and returns their number. */
        int utf8(String text, int from, int to, int[] byteIds) {
            if (ids.length < 3 * (to - from)) ids = new int[3 * (to - from)];
            return Utf8Bytes.write(text, from, to, byteIds, ids, 0);
        }
    }
}
