package dev.jllm.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A tokenizer as a GGUF file's {@code tokenizer.ggml.*} metadata describes it, built on the parts of
 * {@link HfTokenizer} (one BPE for both kinds of file), so that it gives the ids of the {@code tokenizer.json} the file
 * was converted from.
 *
 * <p>Kind {@code gpt2} (Llama 3, Qwen3): byte-level BPE with the file's merges, cut by the pre-tokenizer that
 * {@code tokenizer.ggml.pre} names ({@code llama-bpe}: Llama 3's expression with 1–3 digits and whole-word
 * look-up, {@code qwen2}: Qwen's with single digits after Unicode NFC, {@code gpt-2}: GPT-2's).
 *
 * <p>Kind {@code llama} (SentencePiece, as Gemma 3's files have it): spaces become {@code ▁} (after a leading
 * {@code ▁} when {@code add_space_prefix}), characters without a token become their {@code <0xXX>} byte tokens,
 * and pieces merge by their scores: the merges are derived from the scores exactly as transformers derives a
 * {@code tokenizer.json}'s merges from a SentencePiece model ({@link #mergesFromScores}).
 *
 * <p>Token types ({@code tokenizer.ggml.token_type}): control tokens are special added tokens (matched only when
 * specials are allowed), user-defined ones are added tokens that are always matched; llama.cpp's converter writes
 * a user-defined token's {@code ▁} as a space, which is undone here, so that it is matched as the
 * {@code tokenizer.json} matches it (in the raw text).
 *
 * @param model          {@code tokenizer.ggml.model}: {@code gpt2} or {@code llama}
 * @param pre            {@code tokenizer.ggml.pre} (gpt2 kind), or null
 * @param tokens         every token's text, by id
 * @param scores         the SentencePiece score of each token (llama kind), or null
 * @param types          each token's type ({@link #NORMAL} ...), or null (all normal)
 * @param merges         the merges as "left right" (gpt2 kind), or null
 * @param bosId          beginning-of-sequence id, or -1
 * @param eosId          end-of-sequence id, or -1
 * @param unknownId      the unknown token's id, or -1
 * @param addBos         whether encoding with the special tokens puts BOS first
 * @param addEos         whether it puts EOS last
 * @param addSpacePrefix whether a SentencePiece text gets a leading {@code ▁}
 */
public record GgmlVocabulary(String model, String pre, String[] tokens, float[] scores, int[] types, List<String> merges,
                             int bosId, int eosId, int unknownId, boolean addBos, boolean addEos, boolean addSpacePrefix) {

    /** Token types, as gguf's {@code TokenType}. */
    public static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6;

    /** The pre-tokenizers of the gpt2 kind jllm knows. */
    public static final List<String> PRE_TOKENIZERS = List.of("gpt-2", "default", "llama-bpe", "llama3", "qwen2");

    private static final String SPACE = "\u2581"; // ▁
    /** Longer pieces make no merges (real vocabularies have none near it; every split of one costs its length). */
    private static final int MAX_MERGED_PIECE = 1024;

    public GgmlVocabulary {
        if (tokens.length == 0) throw new IllegalArgumentException("the vocabulary has no tokens");
        if (scores != null && scores.length != tokens.length) {
            throw new IllegalArgumentException(scores.length + " scores for " + tokens.length + " tokens");
        }
        if (types != null && types.length != tokens.length) {
            throw new IllegalArgumentException(types.length + " token types for " + tokens.length + " tokens");
        }
        for (int id : new int[] {bosId, eosId, unknownId}) {
            if (id < -1 || id >= tokens.length) {
                throw new IllegalArgumentException("special token id " + id + " is outside the " + tokens.length + " tokens");
            }
        }
    }

    /**
     * A {@code tokenizer.json} tokenizer as a GGUF file holds it, as llama.cpp's converter writes one, with
     * {@code vocabSize} ids (the model's; ids the tokenizer lacks become unused {@code [PADn]} tokens): byte-level
     * BPE as kind gpt2 with its pre-tokenizer's name, SentencePiece-style BPE (byte fallback) as kind llama with
     * scores that give back its merges ({@link #mergesFromScores}): a merged piece scores minus the rank of the first
     * merge that makes it, added tokens -1000 as llama.cpp writes them (read as SentencePiece's 0).
     */
    public static GgmlVocabulary of(HfTokenizer t, int vocabSize) {
        HfTokenizer.Parts p = t.parts();
        BpeModel bpe = p.model();
        int n = Math.max(vocabSize, t.vocabSize());
        String[] tokens = new String[n];
        int[] types = new int[n];
        for (int id = 0; id < n; id++) {
            String s = id < bpe.size() ? bpe.token(id) : null;
            tokens[id] = s != null ? s : "[PAD" + id + "]";
            types[id] = s != null ? NORMAL : UNUSED;
        }
        boolean spm = !bpe.byteLevel();
        for (AddedTokens.Token a : p.added()) {
            tokens[a.id()] = a.content();
            types[a.id()] = a.special() ? CONTROL : USER_DEFINED;
            if (spm && !a.special()) tokens[a.id()] = a.content().replace(SPACE, " "); // as llama.cpp's converter
        }
        int bos = t.bosId(), eos = t.eosToken() == null ? -1 : t.eotId();
        boolean addBos = p.prefixIds().length == 1 && p.prefixIds()[0] == bos;
        boolean addEos = p.suffixIds().length == 1 && p.suffixIds()[0] == eos;
        if (!spm) {
            List<String> merges = bpe.merges().stream().map(m -> m[0] + " " + m[1]).toList();
            return new GgmlVocabulary("gpt2", preName(p), tokens, null, types, merges, bos, eos, -1, addBos, addEos, false);
        }
        if (!bpe.byteFallback()) throw new IllegalArgumentException("a SentencePiece-style BPE without byte fallback has no GGUF form");
        for (int b = 0; b < 256; b++) {
            int id = bpe.fallbackIds()[b];
            if (id >= 0 && types[id] == NORMAL) types[id] = BYTE;
        }
        if (bpe.unkId() >= 0 && types[bpe.unkId()] == NORMAL) types[bpe.unkId()] = UNKNOWN;
        float[] scores = new float[n];
        java.util.Arrays.fill(scores, Float.NEGATIVE_INFINITY);
        List<String[]> merges = bpe.merges();
        for (int rank = merges.size() - 1; rank >= 0; rank--) {
            Integer id = bpe.vocab().get(merges.get(rank)[0] + merges.get(rank)[1]);
            scores[id] = -(rank + 1);
        }
        float lowest = -(merges.size() + 1);
        for (int id = 0; id < n; id++) {
            if (types[id] == CONTROL || types[id] == USER_DEFINED) scores[id] = -1000f;
            else if (scores[id] == Float.NEGATIVE_INFINITY) scores[id] = types[id] == NORMAL ? lowest : 0f;
        }
        boolean prefix = p.normalizer() instanceof TextNormalizer.Sequence s
                && s.steps().contains(new TextNormalizer.Prepend(SPACE));
        return new GgmlVocabulary("llama", null, tokens, scores, types, null, bos, eos, bpe.unkId(), addBos, addEos, prefix);
    }

    /** The GGUF name of a byte-level tokenizer's pre-tokenizer. */
    private static String preName(HfTokenizer.Parts p) {
        if (p.splitters().size() == 1 && p.splitters().getFirst().get() instanceof Llama3Splitter s) {
            return s.maxDigits() == 3 ? "llama-bpe" : "qwen2";
        }
        if (p.splitters().size() == 1 && !(p.splitters().getFirst().get() instanceof RegexSplitter)
                && !(p.splitters().getFirst().get() instanceof LiteralSplitter)) {
            return "gpt-2";
        }
        throw new IllegalArgumentException("this tokenizer's pre-tokenizer has no GGUF name (jllm writes llama-bpe, qwen2 and gpt-2)");
    }

    private int type(int id) {
        return types == null ? NORMAL : types[id];
    }

    /** The tokenizer: a {@link HfTokenizer} with the parts this vocabulary describes. */
    public HfTokenizer tokenizer() {
        return switch (model) {
            case "gpt2" -> byteLevel();
            case "llama" -> sentencePiece();
            default -> throw new IllegalArgumentException("tokenizer.ggml.model '" + model
                    + "' is not supported (jllm reads gpt2 byte-level BPE and llama SentencePiece vocabularies)");
        };
    }

    private HfTokenizer byteLevel() {
        if (merges == null) throw new IllegalArgumentException("a gpt2 vocabulary without tokenizer.ggml.merges");
        String p = pre == null ? "default" : pre;
        List<Supplier<PieceSplitter>> splitters = new ArrayList<>();
        TextNormalizer normalizer = new TextNormalizer.None();
        boolean ignoreMerges = false;
        switch (p) {
            case "gpt-2", "default" -> splitters.add(() -> Pretokenizer::pieceEnd);
            case "llama-bpe", "llama3" -> {
                Llama3Splitter s = Llama3Splitter.forPattern(Llama3Splitter.LLAMA3);
                splitters.add(() -> s);
                ignoreMerges = true;
            }
            case "qwen2" -> {
                Llama3Splitter s = Llama3Splitter.forPattern(Llama3Splitter.QWEN3);
                splitters.add(() -> s);
                normalizer = new TextNormalizer.UnicodeForm(java.text.Normalizer.Form.NFC);
            }
            default -> throw new IllegalArgumentException("tokenizer.ggml.pre '" + p + "' is not supported (jllm knows "
                    + String.join(", ", PRE_TOKENIZERS) + ")");
        }
        Map<String, Integer> vocab = new HashMap<>();
        List<AddedTokens.Token> added = new ArrayList<>();
        for (int id = 0; id < tokens.length; id++) {
            switch (type(id)) {
                case CONTROL, USER_DEFINED -> added.add(addedToken(id, tokens[id]));
                case UNUSED -> { }
                default -> vocab.putIfAbsent(tokens[id], id);
            }
        }
        List<String[]> pairs = new ArrayList<>(merges.size());
        for (String line : merges) {
            int space = line.indexOf(' ', 1);
            if (space < 0) throw new IllegalArgumentException("merge '" + line + "' is not two tokens separated by a space");
            pairs.add(new String[] {line.substring(0, space), line.substring(space + 1)});
        }
        BpeModel bpe = BpeModel.of(vocab, pairs, true, false, null, false, ignoreMerges);
        return build(normalizer, splitters, bpe, added, new TokenDecoder.ByteLevelDecoder());
    }

    private HfTokenizer sentencePiece() {
        if (scores == null) throw new IllegalArgumentException("a llama (SentencePiece) vocabulary without tokenizer.ggml.scores");
        Map<String, Integer> vocab = new HashMap<>();
        List<AddedTokens.Token> added = new ArrayList<>();
        String[] text = new String[tokens.length];
        boolean byteTokens = false;
        for (int id = 0; id < tokens.length; id++) {
            int t = type(id);
            // llama.cpp's converter writes a user-defined token's ▁ as a space: back to the piece
            text[id] = t == USER_DEFINED ? tokens[id].replace(" ", SPACE) : tokens[id];
            if (t == UNUSED) continue;
            if (t == CONTROL || t == USER_DEFINED) added.add(addedToken(id, text[id]));
            byteTokens |= t == BYTE;
            vocab.putIfAbsent(text[id], id);
        }
        float[] sp = scores.clone(); // SentencePiece scores added pieces 0; llama.cpp's converter writes -1000
        for (int id = 0; id < sp.length; id++) if (type(id) == CONTROL || type(id) == USER_DEFINED) sp[id] = 0f;
        List<String[]> merges = mergesFromScores(text, sp, types, vocab);
        String unk = unknownId >= 0 ? text[unknownId] : firstOfType(UNKNOWN, text);
        BpeModel bpe = BpeModel.of(vocab, merges, false, byteTokens, unk, true, false);
        TextNormalizer replace = new TextNormalizer.Replace(" ", SPACE);
        TextNormalizer normalizer = addSpacePrefix
                ? new TextNormalizer.Sequence(List.of(new TextNormalizer.Prepend(SPACE), replace)) : replace;
        List<TokenDecoder> steps = new ArrayList<>(List.of(new TokenDecoder.Replace(SPACE, " "), new TokenDecoder.ByteFallback(),
                new TokenDecoder.Fuse()));
        if (addSpacePrefix) steps.add(new TokenDecoder.Strip(' ', 1, 0));
        TokenDecoder decoder = new TokenDecoder.Sequence(steps);
        return build(normalizer, List.of(), bpe, added, decoder);
    }

    private String firstOfType(int type, String[] text) {
        for (int id = 0; id < text.length; id++) if (type(id) == type) return text[id];
        return null;
    }

    private AddedTokens.Token addedToken(int id, String content) {
        return new AddedTokens.Token(id, content, type(id) == CONTROL, false, false, false, false);
    }

    private HfTokenizer build(TextNormalizer normalizer, List<Supplier<PieceSplitter>> splitters, BpeModel bpe,
                              List<AddedTokens.Token> added, TokenDecoder decoder) {
        int[] prefix = addBos && bosId >= 0 ? new int[] {bosId} : new int[0];
        int[] suffix = addEos && eosId >= 0 ? new int[] {eosId} : new int[0];
        List<String> patterns = added.stream().map(AddedTokens.Token::content).toList();
        HfTokenizer.Parts parts = new HfTokenizer.Parts(normalizer, splitters, false, bpe, added, patterns, prefix, suffix, decoder);
        return new HfTokenizer(parts, bosId >= 0 ? tokenText(bosId) : null, eosId >= 0 ? tokenText(eosId) : null);
    }

    private String tokenText(int id) {
        return type(id) == USER_DEFINED && "llama".equals(model) ? tokens[id].replace(" ", SPACE) : tokens[id];
    }

    /**
     * The BPE merges of a SentencePiece vocabulary, as transformers' {@code generate_merges} makes them: every split
     * of a piece into two pieces of the vocabulary is a merge with the piece's score; merges by score (highest first),
     * then by the left and the right part's length in code points (longest first), then by the piece's id and the
     * parts' ids. Unused tokens, byte tokens and pieces over 1024 characters make no merges.
     */
    static List<String[]> mergesFromScores(String[] text, float[] scores, int[] types, Map<String, Integer> vocab) {
        record Merge(String left, String right, float score, int leftLen, int rightLen, int id, int leftId, int rightId) {}
        List<Merge> all = new ArrayList<>();
        for (int id = 0; id < text.length; id++) {
            int t = types == null ? NORMAL : types[id];
            if (t == UNUSED || t == BYTE) continue;
            String piece = text[id];
            if (piece.length() > MAX_MERGED_PIECE) continue;
            int cps = piece.codePointCount(0, piece.length());
            int leftLen = 0;
            for (int i = 0; i < piece.length() - 1; ) {
                i += Character.charCount(piece.codePointAt(i));
                leftLen++;
                if (i >= piece.length()) break;
                Integer l = vocab.get(piece.substring(0, i)), r = vocab.get(piece.substring(i));
                if (l != null && r != null) {
                    all.add(new Merge(piece.substring(0, i), piece.substring(i), scores[id], leftLen, cps - leftLen, id, l, r));
                }
            }
        }
        all.sort(Comparator.comparingDouble((Merge m) -> -m.score()).thenComparingInt(m -> -m.leftLen())
                .thenComparingInt(m -> -m.rightLen()).thenComparingInt(Merge::id).thenComparingInt(Merge::leftId)
                .thenComparingInt(Merge::rightId));
        List<String[]> out = new ArrayList<>(all.size());
        for (Merge m : all) out.add(new String[] {m.left(), m.right()});
        return out;
    }

    @Override
    public String toString() {
        return "GgmlVocabulary[" + model + (pre == null ? "" : "/" + pre) + ", " + tokens.length + " tokens]";
    }
}
