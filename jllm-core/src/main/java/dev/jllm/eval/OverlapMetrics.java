package dev.jllm.eval;

import dev.jllm.prompt.ResponseExample;
import java.util.List;
import java.util.Locale;

/**
 * Offline comparison of responses with references, no judge needed: exact match and ROUGE-L.
 *
 * <p>Both compare word sequences: the text lowercased and split at whitespace (so {@code "Paris."} and
 * {@code "paris."} are the same word, {@code "Paris"} and {@code "Paris."} are not).
 */
public final class OverlapMetrics {
    private OverlapMetrics() {}

    /** Averages over a set of responses. */
    public record Summary(int entries, double exactMatch, double rougeL) {}

    public static List<String> words(String text) {
        String s = text.toLowerCase(Locale.ROOT).strip();
        return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
    }

    /** Whether the two texts have the same words. */
    public static boolean exactMatch(String response, String reference) {
        return words(response).equals(words(reference));
    }

    /**
     * ROUGE-L F-measure: with L the longest common subsequence of the two word sequences, precision L/|response|,
     * recall L/|reference|, and their harmonic mean. Two empty texts score 1, one empty text 0.
     */
    public static double rougeL(String response, String reference) {
        List<String> r = words(response);
        List<String> ref = words(reference);
        if (r.isEmpty() || ref.isEmpty()) return r.isEmpty() && ref.isEmpty() ? 1 : 0;
        int lcs = longestCommonSubsequence(r, ref);
        if (lcs == 0) return 0;
        double precision = (double) lcs / r.size();
        double recall = (double) lcs / ref.size();
        return 2 * precision * recall / (precision + recall);
    }

    /** Length of the longest common subsequence, by dynamic programming over one row. */
    static int longestCommonSubsequence(List<String> a, List<String> b) {
        int[] row = new int[b.size() + 1];
        for (String x : a) {
            int diagonal = 0; // row[j - 1] of the previous row
            for (int j = 1; j <= b.size(); j++) {
                int above = row[j];
                row[j] = x.equals(b.get(j - 1)) ? diagonal + 1 : Math.max(row[j], row[j - 1]);
                diagonal = above;
            }
        }
        return row[b.size()];
    }

    /** Exact-match rate and mean ROUGE-L of each {@code model_response} against its {@code output}. */
    public static Summary of(List<ResponseExample> responses) {
        if (responses.isEmpty()) throw new IllegalArgumentException("no responses to evaluate");
        int exact = 0;
        double rouge = 0;
        for (ResponseExample e : responses) {
            if (exactMatch(e.modelResponse(), e.output())) exact++;
            rouge += rougeL(e.modelResponse(), e.output());
        }
        return new Summary(responses.size(), (double) exact / responses.size(), rouge / responses.size());
    }
}
