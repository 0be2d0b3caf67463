package dev.jllm.finetune.classify;

import dev.jllm.tensor.NoGrad;
import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;
import dev.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A finetuned classifier ready to use: {@code Classifier.load(runDir).classify("You won!")}.
 *
 * <p>A text is encoded with special tokens taken as plain text, cut to the classifier's max length (its first
 * tokens, as in training) and run without padding; the head reads the last token (or the mean, per its pooling).
 */
public final class Classifier {

    /**
     * @param label         the most probable label
     * @param probabilities every label's probability (they sum to 1), in the classifier's label order
     */
    public record Classification(String label, Map<String, Double> probabilities) {
        public double probability() {
            return probabilities.get(label);
        }
    }

    private final GptClassifier model;
    private final Tokenizer tokenizer;
    private final ClassifierInfo info;

    public Classifier(GptClassifier model, Tokenizer tokenizer, ClassifierInfo info) {
        if (info.labels().size() != model.classes()) {
            throw new IllegalArgumentException(info.labels().size() + " labels for a head of " + model.classes() + " classes");
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.info = info;
        model.eval();
    }

    /** The classifier in a folder written by {@code jllm finetune classify}. */
    public static Classifier load(Path dir) throws IOException {
        ClassifierInfo info = ClassifierInfo.read(dir);
        return new Classifier(ClassifierFiles.load(dir, info), Tokenizer.load(dir), info);
    }

    public List<String> labels() {
        return info.labels();
    }

    public ClassifierInfo info() {
        return info;
    }

    public Classification classify(String text) {
        int[] ids = tokenizer.encodeOrdinary(text);
        if (ids.length == 0) throw new IllegalArgumentException("empty text: nothing to classify");
        if (ids.length > info.maxLength()) ids = Arrays.copyOf(ids, info.maxLength());
        float[] p;
        try (NoGrad g = NoGrad.enter()) {
            Tensor logits = model.logits(ids, new int[] {ids.length - 1}, 1, ids.length);
            p = Ops.softmax(logits).data();
        }
        Map<String, Double> probabilities = new LinkedHashMap<>();
        int best = 0;
        for (int c = 0; c < p.length; c++) {
            probabilities.put(info.labels().get(c), (double) p[c]);
            if (p[c] > p[best]) best = c;
        }
        return new Classification(info.labels().get(best), Collections.unmodifiableMap(probabilities));
    }
}
