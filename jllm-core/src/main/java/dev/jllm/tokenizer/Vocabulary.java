package dev.jllm.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-level BPE vocabulary: the bytes of every token, the id of each of the 256 single bytes, the merge
 * rules in rank order, and the special tokens (like {@code <|endoftext|>}) that text never merges into.
 *
 * @param tokens   the bytes of each token id (a special token's bytes are its UTF-8 text)
 * @param byteIds  the id of the token for each byte value 0..255
 * @param merges   the rules, rank 0 first: {@code merged} is the token made of {@code left} then {@code right}
 * @param specials special token text to id
 */
record Vocabulary(byte[][] tokens, int[] byteIds, List<Merge> merges, Map<String, Integer> specials) {

    /** One merge rule: two adjacent tokens become {@code merged}. */
    record Merge(int left, int right, int merged) {}

    Vocabulary {
        if (byteIds.length != 256) throw new IllegalArgumentException("a vocabulary needs the 256 byte tokens");
        merges = List.copyOf(merges);
        specials = Collections.unmodifiableMap(new LinkedHashMap<>(specials));
        for (Merge m : merges) {
            byte[] joined = concat(tokens[m.left()], tokens[m.right()]);
            if (!Arrays.equals(joined, tokens[m.merged()])) {
                throw new IllegalArgumentException("merge rule " + m + " does not spell token " + m.merged());
            }
        }
    }

    /** The merge rules as a look-up table. */
    PairTable pairTable() {
        PairTable table = new PairTable(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            Merge m = merges.get(rank);
            table.put(m.left(), m.right(), rank, m.merged());
        }
        return table;
    }

    int size() {
        return tokens.length;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
