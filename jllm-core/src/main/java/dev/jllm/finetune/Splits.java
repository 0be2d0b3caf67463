package dev.jllm.finetune;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A dataset cut into training, validation and test parts, with the book's two ways of cutting.
 *
 * <p>The sizes are computed as the book's Python does, {@code int(len(data) * fraction)} in double arithmetic,
 * so the counts match it exactly (1,494 balanced SMS messages give 1,045/149/300; 1,100 instructions 935/55/110).
 */
public record Splits<T>(List<T> train, List<T> validation, List<T> test) {

    public Splits {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
        test = List.copyOf(test);
    }

    /**
     * Chapter 6: shuffle with {@code seed}, then the first 70% train, the next 10% validation, the rest (20%) test.
     */
    public static <T> Splits<T> shuffled70_10_20(List<T> data, long seed) {
        List<T> shuffled = new ArrayList<>(data);
        Collections.shuffle(shuffled, new Random(seed));
        int n = shuffled.size();
        int trainEnd = (int) (n * 0.7);
        int validationEnd = trainEnd + (int) (n * 0.1);
        return new Splits<>(shuffled.subList(0, trainEnd), shuffled.subList(trainEnd, validationEnd),
                shuffled.subList(validationEnd, n));
    }

    /**
     * Chapter 7: in file order, the first 85% train, the next 10% test, the rest (about 5%) validation.
     *
     * @param source named in the error when a part would be empty
     */
    public static <T> Splits<T> inOrder85_10_5(List<T> data, String source) {
        int n = data.size();
        int trainEnd = (int) (n * 0.85);
        int testEnd = trainEnd + (int) (n * 0.1);
        Splits<T> s = new Splits<>(data.subList(0, trainEnd), data.subList(testEnd, n), data.subList(trainEnd, testEnd));
        s.requireNonEmpty(source, "85% train, 10% test, the rest validation");
        return s;
    }

    /** Throws a one-line error naming {@code source} when any part is empty. */
    public Splits<T> requireNonEmpty(String source, String rule) {
        String empty = train.isEmpty() ? "training" : validation.isEmpty() ? "validation" : test.isEmpty() ? "test" : null;
        if (empty != null) {
            int total = train.size() + validation.size() + test.size();
            throw new IllegalArgumentException(source + ": " + total + " entries leave the " + empty + " split empty ("
                    + rule + "); at least 10 are needed");
        }
        return this;
    }
}
