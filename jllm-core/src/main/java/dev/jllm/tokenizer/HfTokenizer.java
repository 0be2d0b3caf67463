package dev.jllm.tokenizer;

import dev.jllm.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A Hugging Face {@code tokenizer.json} tokenizer (Llama 3, Qwen3, Gemma 3...), encoding and decoding exactly
 * as the {@code tokenizers} library does.
 *
 * <p>Encoding: the added tokens are found in the text ({@link AddedTokens}); the text between them is
 * normalized ({@link TextNormalizer}), cut into pre-tokens ({@link PieceSplitter}s, each cutting the pieces of
 * the one before), and each pre-token is encoded by the BPE model ({@link BpeModel}); short pre-tokens are
 * cached. Decoding runs the file's decoder ({@link TokenDecoder}) over the tokens' strings. Thread-safe.
 *
 * <p>Special tokens: {@link #encodeWithSpecials} matches them as the library does by default;
 * {@link #encode(String, Set)} keeps jllm's rule (a special token not allowed is an error) and
 * {@link #encodeOrdinary} reads them as text ({@code split_special_tokens}). Added tokens that are not special,
 * such as Qwen3's {@code <think>}, are always matched.
 */
public final class HfTokenizer implements Tokenizer {
    /** Pre-tokens longer than this are not cached (Gemma's are whole runs of text). */
    private static final int CACHE_MAX_PIECE = 64;
    private static final int CACHE_LIMIT = 1 << 17;

    /** The parts read from a {@code tokenizer.json}, for the constructor. */
    record Parts(TextNormalizer normalizer, List<Supplier<PieceSplitter>> splitters, boolean prefixSpace, BpeModel model,
                 List<AddedTokens.Token> added, List<String> normalizedAddedPatterns, int[] prefixIds, int[] suffixIds,
                 TokenDecoder decoder) {}

    private final Parts parts;
    private final AddedTokens rawAdded;
    private final AddedTokens normalizedAdded;
    private final String[] addedContent; // by id, null for model tokens
    private final boolean[] special;     // by id
    private final Map<String, Integer> specials;
    private final int size;
    private final String bosToken;
    private final String eosToken;
    private final Path source;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();
    private final ThreadLocal<Scratch> scratch;

    /** The parts it was built from (for {@link GgmlVocabulary#of}). */
    Parts parts() {
        return parts;
    }

    /** A tokenizer built from parts that no folder holds (a GGUF file's vocabulary). */
    HfTokenizer(Parts parts, String bosToken, String eosToken) {
        this(parts, bosToken, eosToken, null);
    }

    HfTokenizer(Parts parts, String bosToken, String eosToken, Path source) {
        this.parts = parts;
        this.source = source;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        List<AddedTokens.Token> raw = new ArrayList<>();
        List<String> rawPatterns = new ArrayList<>();
        List<AddedTokens.Token> norm = new ArrayList<>();
        List<String> normPatterns = new ArrayList<>();
        int top = parts.model().size();
        for (int i = 0; i < parts.added().size(); i++) {
            AddedTokens.Token t = parts.added().get(i);
            top = Math.max(top, t.id() + 1);
            if (t.normalized()) {
                norm.add(t);
                normPatterns.add(parts.normalizedAddedPatterns().get(i));
            } else {
                raw.add(t);
                rawPatterns.add(t.content());
            }
        }
        this.size = top;
        this.rawAdded = new AddedTokens(raw, rawPatterns);
        this.normalizedAdded = new AddedTokens(norm, normPatterns);
        this.addedContent = new String[size];
        this.special = new boolean[size];
        Map<String, Integer> sp = new LinkedHashMap<>();
        for (AddedTokens.Token t : parts.added()) {
            addedContent[t.id()] = t.content();
            special[t.id()] = t.special();
            if (t.special()) sp.put(t.content(), t.id());
        }
        this.specials = Collections.unmodifiableMap(sp);
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(parts));
    }

    /** Tokenizers already read, by folder and file versions (a chat or a test suite opens the same one often). */
    private static final Map<String, java.lang.ref.SoftReference<HfTokenizer>> LOADED = new ConcurrentHashMap<>();

    /**
     * Reads {@code dir/tokenizer.json} (and the BOS/EOS tokens from {@code dir/tokenizer_config.json} if there);
     * a folder read before, with files unchanged, gives the same (immutable) tokenizer again.
     */
    public static HfTokenizer load(Path dir) {
        String key;
        try {
            Path json = dir.resolve("tokenizer.json").toRealPath();
            Path config = dir.resolve("tokenizer_config.json");
            key = json + ":" + Files.size(json) + ":" + Files.getLastModifiedTime(json)
                    + (Files.isRegularFile(config) ? ":" + Files.size(config) + ":" + Files.getLastModifiedTime(config) : "");
        } catch (java.io.IOException e) {
            return HfTokenizerReader.read(dir); // the reader says what is wrong with the files
        }
        java.lang.ref.SoftReference<HfTokenizer> cached = LOADED.get(key);
        HfTokenizer t = cached == null ? null : cached.get();
        if (t == null) {
            t = HfTokenizerReader.read(dir);
            LOADED.put(key, new java.lang.ref.SoftReference<>(t));
        }
        return t;
    }

    /** The folder the tokenizer was read from, or null for one built from a GGUF file's vocabulary. */
    public Path folder() {
        return source;
    }

    /** The files a tokenizer.json tokenizer is made of, with its chat template; {@link #save} copies those there are. */
    public static final List<String> FILES = List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
            "chat_template.jinja");

    /**
     * Writes the tokenizer into the model folder {@code dir}: its files as they were read (the chat template of
     * tokenizer_config.json included), each copied through a temporary file; nothing for a tokenizer built from a
     * GGUF file.
     */
    @Override
    public void save(Path dir) throws IOException {
        if (source == null) return; // built from a GGUF file's vocabulary: no files to copy
        for (String name : FILES) {
            Path from = source.resolve(name);
            if (!Files.isRegularFile(from)) continue;
            byte[] bytes = Files.readAllBytes(from);
            AtomicFiles.write(dir.resolve(name), out -> {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) out.write(buf);
            });
        }
    }

    /** Whether {@code dir} holds a {@code tokenizer.json}. */
    public static boolean isIn(Path dir) {
        return Files.isRegularFile(dir.resolve("tokenizer.json"));
    }

    // ---- encoding ----

    /** Encodes as {@code tokenizers} does with {@code add_special_tokens=False}: every added token is matched. */
    @Override
    public int[] encodeWithSpecials(String text) {
        return encode(text, false);
    }

    @Override
    public int[] encode(String text, Set<String> allowedSpecial) {
        for (Map.Entry<String, Integer> e : specials.entrySet()) {
            if (!allowedSpecial.contains(e.getKey()) && text.contains(e.getKey())) {
                throw new SpecialTokenException(e.getKey(), e.getValue());
            }
        }
        for (String allowed : allowedSpecial) {
            if (!specials.containsKey(allowed)) {
                throw new IllegalArgumentException("'" + allowed + "' is not a special token of this vocabulary");
            }
        }
        return encode(text, false);
    }

    /** Special tokens as text ({@code split_special_tokens}); added tokens that are not special are still matched. */
    @Override
    public int[] encodeOrdinary(String text) {
        return encode(text, true);
    }

    /** The ids with the post-processor's tokens around them (Gemma's BOS): {@code add_special_tokens=True}. */
    public int[] addSpecialTokens(int[] ids) {
        int[] out = new int[parts.prefixIds().length + ids.length + parts.suffixIds().length];
        System.arraycopy(parts.prefixIds(), 0, out, 0, parts.prefixIds().length);
        System.arraycopy(ids, 0, out, parts.prefixIds().length, ids.length);
        System.arraycopy(parts.suffixIds(), 0, out, parts.prefixIds().length + ids.length, parts.suffixIds().length);
        return out;
    }

    private int[] encode(String text, boolean specialsAsText) {
        IntList out = new IntList(text.length() / 3 + 4);
        Scratch s = scratch.get();
        for (AddedTokens.Segment seg : rawAdded.split(text, specialsAsText)) {
            if (seg.id() >= 0) {
                out.add(seg.id());
                continue;
            }
            String normalized = parts.normalizer().apply(text.substring(seg.start(), seg.end()));
            for (AddedTokens.Segment sub : normalizedAdded.split(normalized, specialsAsText)) {
                if (sub.id() >= 0) {
                    out.add(sub.id());
                } else {
                    String piece = normalized.substring(sub.start(), sub.end());
                    if (parts.prefixSpace() && !piece.startsWith(" ")) piece = " " + piece;
                    split(piece, 0, piece.length(), 0, out, s);
                }
            }
        }
        return out.toArray();
    }

    /** Cuts {@code text[from, to)} with splitter {@code level} and the ones after it, then encodes the pre-tokens. */
    private void split(String text, int from, int to, int level, IntList out, Scratch s) {
        if (level == s.splitters.length) {
            encodePiece(text, from, to, out, s);
            return;
        }
        PieceSplitter splitter = s.splitters[level]; // sees text[from, to) as a string of its own
        for (int p = from; p < to; ) {
            int e = splitter.pieceEnd(text, p, to);
            split(text, p, e, level + 1, out, s);
            p = e;
        }
    }

    private void encodePiece(String text, int from, int to, IntList out, Scratch s) {
        BpeModel model = parts.model();
        if (to - from > CACHE_MAX_PIECE) {
            model.encode(text, from, to, out, s.bpe);
            return;
        }
        String piece = text.substring(from, to);
        int[] ids = cache.get(piece);
        if (ids == null) {
            IntList one = new IntList(to - from);
            model.encode(piece, 0, piece.length(), one, s.bpe);
            ids = one.toArray();
            if (cache.size() >= CACHE_LIMIT) cache.clear();
            cache.put(piece, ids);
        }
        out.addAll(ids);
    }

    /** Forgets the cached pre-tokens, so that a benchmark measures a first pass over its text, not cache hits. */
    public void clearCache() {
        cache.clear();
    }

    // ---- decoding ----

    @Override
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /** The text of the tokens as {@code tokenizers} decodes them; {@code skipSpecialTokens} leaves special tokens out. */
    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            String t = piece(id);
            if (!(skipSpecialTokens && special[id])) tokens.add(t);
        }
        return parts.decoder().decode(tokens);
    }

    /**
     * The bytes of the tokens, for streaming: a byte token ({@code <0xE4>}, or a byte-level character) gives its
     * byte, any other token the UTF-8 of its decoded text.
     */
    @Override
    public byte[] decodeBytes(int[] ids) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int id : ids) bytes.writeBytes(tokenBytes(id));
        return bytes.toByteArray();
    }

    private byte[] tokenBytes(int id) {
        String t = piece(id);
        if (parts.model().byteLevel()) return TokenDecoder.ByteLevelDecoder.bytesOf(t);
        int b = TokenDecoder.ByteFallback.byteOf(t);
        if (b >= 0 && addedContent[id] == null) return new byte[] {(byte) b};
        return parts.decoder().decode(List.of(t)).getBytes(StandardCharsets.UTF_8);
    }

    // ---- the vocabulary ----

    @Override
    public int vocabSize() {
        return size;
    }

    /** The EOS token of {@code tokenizer_config.json} (Qwen3's {@code <|im_end|>}, Gemma's {@code <end_of_turn>}). */
    @Override
    public int eotId() {
        if (eosToken == null) throw new IllegalStateException("this tokenizer names no EOS token (tokenizer_config.json)");
        return idOf(eosToken);
    }

    /** The BOS token's id, or -1 when the tokenizer has none (Qwen3). */
    public int bosId() {
        return bosToken == null ? -1 : idOf(bosToken);
    }

    public String bosToken() {
        return bosToken;
    }

    public String eosToken() {
        return eosToken;
    }

    /** The id of a token string (added or in the model's vocabulary); an IllegalArgumentException if none. */
    public int idOf(String token) {
        for (AddedTokens.Token t : parts.added()) {
            if (t.content().equals(token)) return t.id();
        }
        Integer id = parts.model().vocab().get(token);
        if (id == null) throw new IllegalArgumentException("'" + token + "' is not a token of this vocabulary");
        return id;
    }

    @Override
    public Map<String, Integer> specialTokens() {
        return specials;
    }

    /** Whether {@code id} is an added token ({@code added_tokens} of tokenizer.json). */
    public boolean isAdded(int id) {
        return id >= 0 && id < size && addedContent[id] != null;
    }

    /** Whether {@code id} is a special added token (left out by {@code skip_special_tokens}). */
    public boolean isSpecial(int id) {
        return id >= 0 && id < size && special[id];
    }

    @Override
    public String piece(int id) {
        if (id < 0 || id >= size) {
            throw new IllegalArgumentException("token id %d is out of range: the vocabulary has ids 0..%d"
                    .formatted(id, size - 1));
        }
        String t = addedContent[id] != null ? addedContent[id] : parts.model().token(id);
        if (t == null) throw new IllegalArgumentException("token id " + id + " is not in the vocabulary");
        return t;
    }

    @Override
    public String toString() {
        return "HfTokenizer[" + size + " ids, " + specials.size() + " special]";
    }

    /** Per-thread state: the merger's buffers and the splitters (a regular expression's matcher is not shared). */
    private static final class Scratch {
        final BpeModel.Scratch bpe;
        final PieceSplitter[] splitters;

        Scratch(Parts parts) {
            bpe = new BpeModel.Scratch(parts.model());
            splitters = parts.splitters().stream().map(Supplier::get).toArray(PieceSplitter[]::new);
        }
    }
}
