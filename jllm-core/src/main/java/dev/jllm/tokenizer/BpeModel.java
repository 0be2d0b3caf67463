package dev.jllm.tokenizer;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The {@code BPE} model of a {@code tokenizer.json}: a pre-token's characters start as one token each and are
 * merged by rank ({@link BytePairMerger} over a {@link PairTable}, the same machinery as GPT-2's tokenizer).
 *
 * <p>For byte-level models (Llama 3, Qwen3) the characters are GPT-2's byte characters ({@link ByteLevel}), so
 * every byte has a token. For SentencePiece-style models (Gemma 3) they are the text's own characters; one
 * without a token becomes its UTF-8 bytes as {@code <0xXX>} tokens ({@code byte_fallback}), or the unknown
 * token ({@code fuse_unk}: one for a run of them). With {@code ignore_merges} (Llama 3) a pre-token that is
 * itself in the vocabulary is that token, whatever the merges would make.
 *
 * @param vocab       token string to id
 * @param tokens      the string of each id of the model (null where the model has none)
 * @param rules       the merges
 * @param byteLevel   whether pre-tokens are mapped to GPT-2's byte characters first
 * @param byteFallback whether a character without a token becomes {@code <0xXX>} tokens
 * @param unkId       the unknown token's id, or -1
 * @param fuseUnk     whether a run of unknown characters gives one unknown token
 * @param ignoreMerges whether a pre-token found in the vocabulary is taken whole
 * @param merges      the merges as [left, right] token strings, by rank (what a GGUF file lists)
 */
record BpeModel(Map<String, Integer> vocab, String[] tokens, PairTable rules, boolean byteLevel, boolean byteFallback,
                int unkId, boolean fuseUnk, boolean ignoreMerges, int[] charIds, int[] fallbackIds, List<String[]> merges) {

    /** Builds the model; merges are {@code [left, right]} token strings in rank order. */
    static BpeModel of(Map<String, Integer> vocab, List<String[]> merges, boolean byteLevel, boolean byteFallback,
                       String unkToken, boolean fuseUnk, boolean ignoreMerges) {
        int size = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        String[] tokens = new String[size];
        vocab.forEach((t, id) -> tokens[id] = t);
        PairTable rules = new PairTable(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] m = merges.get(rank);
            Integer left = vocab.get(m[0]);
            Integer right = vocab.get(m[1]);
            Integer merged = vocab.get(m[0] + m[1]);
            if (left == null || right == null || merged == null) {
                throw new IllegalArgumentException("merge %d ('%s' '%s') uses a token that is not in the vocabulary"
                        .formatted(rank, m[0], m[1]));
            }
            rules.put(left, right, rank, merged);
        }
        int[] charIds = new int[Character.MAX_VALUE + 1];
        Arrays.fill(charIds, -1);
        vocab.forEach((t, id) -> {
            if (t.length() == 1) charIds[t.charAt(0)] = id;
        });
        int[] fallbackIds = new int[256];
        for (int b = 0; b < 256; b++) {
            Integer id = byteLevel ? vocab.get(String.valueOf(ByteLevel.charOf(b))) : vocab.get("<0x%02X>".formatted(b));
            fallbackIds[b] = id == null ? -1 : id;
            if (byteLevel && id == null) {
                throw new IllegalArgumentException("a byte-level vocabulary without a token for byte 0x%02X ('%s')"
                        .formatted(b, ByteLevel.charOf(b)));
            }
        }
        Integer unk = unkToken == null ? null : vocab.get(unkToken);
        return new BpeModel(vocab, tokens, rules, byteLevel, byteFallback, unk == null ? -1 : unk, fuseUnk,
                ignoreMerges, charIds, fallbackIds, List.copyOf(merges));
    }

    /** Number of ids of the model (added tokens may come after them). */
    int size() {
        return tokens.length;
    }

    /** Per-thread buffers. */
    static final class Scratch {
        final BytePairMerger merger;
        int[] ids = new int[64];

        Scratch(BpeModel model) {
            merger = new BytePairMerger(model.rules);
        }

        void ensure(int n) {
            if (ids.length < n) ids = new int[Math.max(n, 2 * ids.length)];
        }
    }

    /** The tokens of one pre-token {@code text[from, to)} (already normalized), appended to {@code out}. */
    void encode(String text, int from, int to, IntList out, Scratch s) {
        if (from >= to) return;
        int n = byteLevel ? byteSymbols(text, from, to, s) : charSymbols(text, from, to, s);
        if (ignoreMerges) {
            Integer whole = vocab.get(byteLevel ? symbolText(s.ids, n) : text.substring(from, to));
            if (whole != null) {
                out.add(whole);
                return;
            }
        }
        int count = s.merger.merge(s.ids, n);
        for (int i = 0; i < count; i++) out.add(s.ids[i]);
    }

    /** The byte-level string of {@code n} byte tokens. */
    private String symbolText(int[] ids, int n) {
        char[] chars = new char[n];
        for (int i = 0; i < n; i++) chars[i] = tokens[ids[i]].charAt(0);
        return new String(chars);
    }

    /** The byte tokens of the UTF-8 of {@code text[from, to)} (a lone surrogate as U+FFFD). */
    private int byteSymbols(String text, int from, int to, Scratch s) {
        s.ensure(4 * (to - from));
        return Utf8Bytes.write(text, from, to, fallbackIds, s.ids, 0);
    }

    /** One token per character, or its byte-fallback tokens, or the unknown token. */
    private int charSymbols(String text, int from, int to, Scratch s) {
        s.ensure(4 * (to - from));
        int[] ids = s.ids;
        int n = 0;
        boolean lastUnk = false;
        for (int i = from; i < to; ) {
            int cp = text.codePointAt(i);
            int len = Character.charCount(cp);
            int id = len == 1 ? charIds[cp] : vocab.getOrDefault(text.substring(i, i + len), -1);
            i += len;
            if (id >= 0) {
                ids[n++] = id;
                lastUnk = false;
                continue;
            }
            if (byteFallback && fallbackFor(cp)) {
                n = Utf8Bytes.write(text, i - len, i, fallbackIds, ids, n);
                lastUnk = false;
                continue;
            }
            if (unkId < 0) {
                throw new IllegalArgumentException("character U+%04X has no token and the model no unknown token"
                        .formatted(cp));
            }
            if (!(fuseUnk && lastUnk)) ids[n++] = unkId;
            lastUnk = true;
        }
        return n;
    }

    /** Whether every UTF-8 byte of {@code cp} has a {@code <0xXX>} token. */
    private boolean fallbackFor(int cp) {
        int[] ids = new int[4];
        int n = Utf8Bytes.write(new String(Character.toChars(cp)), 0, Character.charCount(cp), fallbackIds, ids, 0);
        for (int i = 0; i < n; i++) {
            if (ids[i] < 0) return false;
        }
        return true;
    }

    /** The string of token {@code id} in the vocabulary, or null. */
    String token(int id) {
        return id >= 0 && id < tokens.length ? tokens[id] : null;
    }
}
