package dev.jllm.serve;

import java.util.Map;

/** A model that sorts a text into one of its labels, as {@code POST /v1/classify} answers. */
@FunctionalInterface
public interface Classifier {

    /**
     * @param label         the most likely label
     * @param probabilities every label's probability (they sum to 1), in the classifier's label order
     */
    record Classification(String label, Map<String, Double> probabilities) {}

    Classification classify(String text);
}
