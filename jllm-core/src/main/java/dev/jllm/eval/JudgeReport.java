package dev.jllm.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The judge's verdict over a set of responses.
 *
 * @param average   mean score of the entries the judge scored
 * @param scored    entries with a score
 * @param failed    entries whose answer was not a score (listed in {@code failures}, left out of the average)
 * @param histogram scores counted per 10-point bucket {@code "0-9", "10-19", ..., "90-100"}, every bucket present
 * @param failures  the entries that got no score, in file order
 */
public record JudgeReport(double average, int scored, int failed, Map<String, Integer> histogram,
                          List<Failure> failures) {

    /** An entry the judge answered with something that is not a score. */
    public record Failure(int entry, String answer) {}

    /** The bucket names, lowest first. */
    public static List<String> buckets() {
        return List.of("0-9", "10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80-89", "90-100");
    }

    static JudgeReport of(List<Double> scores, List<Failure> failures) {
        Map<String, Integer> histogram = new LinkedHashMap<>();
        for (String b : buckets()) histogram.put(b, 0);
        double sum = 0;
        for (double s : scores) {
            sum += s;
            histogram.merge(buckets().get(Math.min(9, (int) (s / 10))), 1, Integer::sum);
        }
        return new JudgeReport(scores.isEmpty() ? Double.NaN : sum / scores.size(), scores.size(), failures.size(),
                histogram, List.copyOf(failures));
    }
}
