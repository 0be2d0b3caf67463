package dev.jllm.tokenizer;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes vocabularies in the three formats GPT-2's vocabulary is published in:
 * <ul>
 *   <li>OpenAI's {@code encoder.json} + {@code vocab.bpe} and Hugging Face's {@code vocab.json} + {@code merges.txt}
 *       (the same format under two names): a JSON object from byte-level token strings to ids, and the merge
 *       rules in rank order, one {@code "left right"} per line after a {@code #version} line;</li>
 *   <li>tiktoken rank files: one {@code base64(token bytes) rank} per line, rank = id; the merge rules are
 *       recovered from the ranks, and {@code <|endoftext|>} gets the id after the last rank, as in r50k_base.</li>
 * </ul>
 * Every problem is reported as an {@link IllegalArgumentException} with one line naming the file.
 */
final class VocabularyFiles {
    private VocabularyFiles() {}

    static final String END_OF_TEXT = "<|endoftext|>";
    private static final ObjectMapper JSON = new ObjectMapper();

    // ---- vocab.json + merges.txt (or encoder.json + vocab.bpe) ----

    static Vocabulary readJsonAndMerges(Path vocabFile, Path mergesFile) {
        return fromTokensAndMerges(readTokenIds(vocabFile), readLines(mergesFile), vocabFile, mergesFile);
    }

    /**
     * A byte-level vocabulary from its token strings (by id, in GPT-2's byte-to-character spelling) and its merge
     * lines ("left right"), as {@code vocab.json} + {@code merges.txt} or a GGUF file's {@code tokenizer.ggml.*}
     * hold them; the two paths name the sources in error messages.
     */
    static Vocabulary fromTokensAndMerges(String[] tokenText, List<String> lines, Path vocabFile, Path mergesFile) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int id = 0; id < tokenText.length; id++) ids.put(tokenText[id], id);

        int[] byteIds = new int[256];
        Arrays.fill(byteIds, -1);
        boolean[] reachable = new boolean[tokenText.length];
        for (int id = 0; id < tokenText.length; id++) {
            String t = tokenText[id];
            if (t.length() == 1 && ByteLevel.byteOf(t.charAt(0)) >= 0) {
                byteIds[ByteLevel.byteOf(t.charAt(0))] = id;
                reachable[id] = true;
            }
        }
        for (int b = 0; b < 256; b++) {
            if (byteIds[b] < 0) {
                throw fail(vocabFile, "no token for byte 0x%02X ('%s')".formatted(b, ByteLevel.charOf(b)));
            }
        }

        List<Vocabulary.Merge> merges = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            if (line.isEmpty() || (n == 0 && line.startsWith("#version"))) continue;
            String[] parts = line.split(" ", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw fail(mergesFile, "line %d: expected two tokens separated by one space, got '%s'".formatted(n + 1, line));
            }
            Integer left = ids.get(parts[0]);
            Integer right = ids.get(parts[1]);
            Integer merged = ids.get(parts[0] + parts[1]);
            for (String unknown : new String[] {left == null ? parts[0] : null, right == null ? parts[1] : null}) {
                if (unknown != null) {
                    throw fail(mergesFile, "line %d: token '%s' is not in %s".formatted(n + 1, unknown, vocabFile.getFileName()));
                }
            }
            if (merged == null) {
                throw fail(mergesFile, "line %d: merged token '%s' is not in %s"
                        .formatted(n + 1, parts[0] + parts[1], vocabFile.getFileName()));
            }
            merges.add(new Vocabulary.Merge(left, right, merged));
            reachable[merged] = true;
        }

        // Entries that are neither bytes nor made by a merge must be special tokens; anything else means
        // the two files do not belong together (or the merges file was cut short).
        byte[][] tokens = new byte[tokenText.length][];
        Map<String, Integer> specials = new LinkedHashMap<>();
        for (int id = 0; id < tokenText.length; id++) {
            String t = tokenText[id];
            if (reachable[id]) {
                tokens[id] = ByteLevel.toBytes(t);
            } else if (looksSpecial(t)) {
                tokens[id] = Vocabulary.utf8(t);
                specials.put(t, id);
            } else {
                throw fail(vocabFile, ("token '%s' (id %d) is neither a byte, nor made by a rule in %s, nor a special "
                        + "token like <|endoftext|> (is %s truncated?)")
                        .formatted(t, id, mergesFile.getFileName(), mergesFile.getFileName()));
            }
        }
        return new Vocabulary(tokens, byteIds, merges, specials);
    }

    /** Special tokens are spelled like {@code <|endoftext|>}, {@code <s>} or {@code [CLS]}. */
    private static boolean looksSpecial(String t) {
        return t.length() >= 3 && (t.startsWith("<") && t.endsWith(">") || t.startsWith("[") && t.endsWith("]"));
    }

    /** The token strings of a {@code vocab.json}, indexed by id (ids must be 0..n-1, each used once). */
    private static String[] readTokenIds(Path file) {
        Map<String, Integer> map;
        try {
            // Decoded as strict UTF-8 first: from bytes, Jackson guesses UTF-16/32 from stray bytes and blames those.
            map = JSON.readValue(Utf8.decodeStrict(readBytes(file), file.toString()),
                    new TypeReference<LinkedHashMap<String, Integer>>() {});
        } catch (JacksonException e) {
            int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            throw fail(file, "not a JSON object of token -> id (line %d: %s)"
                    .formatted(line, e.getOriginalMessage().lines().findFirst().orElse("")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (map == null || map.isEmpty()) throw fail(file, "the vocabulary is empty");
        String[] byId = new String[map.size()];
        for (Map.Entry<String, Integer> e : map.entrySet()) {
            Integer id = e.getValue();
            if (id == null || id < 0 || id >= byId.length) {
                throw fail(file, "token '%s' has id %s, outside 0..%d".formatted(e.getKey(), id, byId.length - 1));
            }
            if (byId[id] != null) {
                throw fail(file, "id %d is given to both '%s' and '%s'".formatted(id, byId[id], e.getKey()));
            }
            byId[id] = e.getKey();
        }
        return byId;
    }

    static void writeJsonAndMerges(Vocabulary vocab, Path vocabFile, Path mergesFile) {
        Map<String, Integer> json = new LinkedHashMap<>();
        for (int id = 0; id < vocab.size(); id++) json.put(text(vocab, id), id);
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        for (Vocabulary.Merge m : vocab.merges()) {
            merges.append(text(vocab, m.left())).append(' ').append(text(vocab, m.right())).append('\n');
        }
        try {
            Files.createDirectories(vocabFile.toAbsolutePath().getParent());
            Files.write(vocabFile, JSON.copy().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(json));
            Files.writeString(mergesFile, merges, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + vocabFile + ": " + e.getMessage(), e);
        }
    }

    /** A token as written in vocab.json: its byte-level string, or a special token's own text. */
    static String text(Vocabulary vocab, int id) {
        byte[] bytes = vocab.tokens()[id];
        String asText = new String(bytes, StandardCharsets.UTF_8);
        Integer special = vocab.specials().get(asText);
        return special != null && special == id ? asText : ByteLevel.toText(bytes);
    }

    // ---- tiktoken rank files ----

    static Vocabulary readTiktoken(Path file) {
        return readTiktoken(readLines(file), file.toString());
    }

    static Vocabulary readTiktoken(InputStream in, String name) {
        try (in) {
            return readTiktoken(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList(), name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    private static Vocabulary readTiktoken(List<String> lines, String name) {
        List<byte[]> byRank = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            if (line.isBlank()) continue;
            int space = line.indexOf(' ');
            byte[] bytes;
            int rank;
            try {
                if (space <= 0) throw new IllegalArgumentException("expected 'base64 rank'");
                bytes = Base64.getDecoder().decode(line.substring(0, space));
                rank = Integer.parseInt(line.substring(space + 1).trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("%s: line %d: expected 'base64-token rank', got '%s'"
                        .formatted(name, n + 1, line));
            }
            if (rank < 0 || rank > lines.size()) {
                throw new IllegalArgumentException("%s: line %d: rank %d is out of range".formatted(name, n + 1, rank));
            }
            while (byRank.size() <= rank) byRank.add(null);
            if (byRank.get(rank) != null) {
                throw new IllegalArgumentException("%s: line %d: rank %d appears twice".formatted(name, n + 1, rank));
            }
            byRank.set(rank, bytes);
        }
        if (byRank.isEmpty()) throw new IllegalArgumentException(name + ": the rank file is empty");
        int missing = byRank.indexOf(null);
        if (missing >= 0) throw new IllegalArgumentException(name + ": no token has rank " + missing);

        byte[][] tokens = byRank.toArray(new byte[byRank.size() + 1][]);
        tokens[byRank.size()] = Vocabulary.utf8(END_OF_TEXT);
        int[] byteIds = new int[256];
        Arrays.fill(byteIds, -1);
        for (int id = 0; id < byRank.size(); id++) {
            if (tokens[id].length == 1) byteIds[tokens[id][0] & 0xFF] = id;
        }
        for (int b = 0; b < 256; b++) {
            if (byteIds[b] < 0) throw new IllegalArgumentException("%s: no token for byte 0x%02X".formatted(name, b));
        }
        return new Vocabulary(tokens, byteIds, mergesFromRanks(tokens, byRank.size(), byteIds, name),
                Map.of(END_OF_TEXT, byRank.size()));
    }

    /**
     * Recovers the merge rules from token ranks: a token of rank r is the merge of the two tokens that BPE
     * with the rules of lower rank makes of its bytes (exactly two, or the ranks are not a BPE vocabulary).
     */
    private static List<Vocabulary.Merge> mergesFromRanks(byte[][] tokens, int count, int[] byteIds, String name) {
        PairTable table = new PairTable(count);
        BytePairMerger merger = new BytePairMerger(table);
        List<Vocabulary.Merge> merges = new ArrayList<>();
        int[] ids = new int[16];
        for (int id = 0; id < count; id++) {
            byte[] bytes = tokens[id];
            if (bytes.length < 2) continue;
            if (ids.length < bytes.length) ids = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) ids[i] = byteIds[bytes[i] & 0xFF];
            int n = merger.merge(ids, bytes.length);
            if (n != 2) {
                throw new IllegalArgumentException("%s: token of rank %d is not the merge of two lower-ranked tokens"
                        .formatted(name, id));
            }
            table.put(ids[0], ids[1], merges.size(), id);
            merges.add(new Vocabulary.Merge(ids[0], ids[1], id));
        }
        return merges;
    }

    // ---- helpers ----

    private static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw fail(file, "file not found");
        } catch (IOException e) {
            throw fail(file, "cannot read: " + e.getMessage());
        }
    }

    private static List<String> readLines(Path file) {
        return Utf8.decodeStrict(readBytes(file), file.toString()).lines().toList();
    }

    static IllegalArgumentException fail(Path file, String problem) {
        return new IllegalArgumentException(file + ": " + problem);
    }
}
