package dev.jllm.io;

import dev.jllm.model.GptConfig;
import dev.jllm.tensor.Tensor;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/** Small random models and the committed golden files, for the io tests. */
final class TestWeights {

    /** vocab 13, context 6, emb 8, 2 heads, 2 layers: the sizes of tools/reference/safetensors_golden.py. */
    static final GptConfig TINY = new GptConfig(13, 6, 8, 2, 2, 0.1f, true, true);

    private TestWeights() {}

    /** Every tensor of {@code config} under canonical names, filled with seeded random values. */
    static StateDict random(GptConfig config, long seed) {
        Random rnd = new Random(seed);
        StateDict dict = new StateDict();
        for (Map.Entry<String, int[]> e : GptNames.expectedShapes(config).entrySet()) {
            Tensor t = Tensor.zeros(e.getValue());
            for (int i = 0; i < t.size(); i++) t.data()[i] = (float) rnd.nextGaussian();
            dict.put(e.getKey(), t);
        }
        return dict;
    }

    static Path resource(String name) {
        try {
            return Paths.get(TestWeights.class.getResource("/io/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException("missing test resource io/" + name, e);
        }
    }

    /** Whether both dicts hold the same names (in the same order), shapes and values. */
    static void assertSame(StateDict expected, StateDict actual) {
        if (!expected.names().stream().toList().equals(actual.names().stream().toList())) {
            throw new AssertionError("names differ:\nexpected " + expected.names() + "\nactual   " + actual.names());
        }
        for (String name : expected.names()) {
            Tensor a = expected.get(name), b = actual.get(name);
            if (!Arrays.equals(a.shape(), b.shape())) {
                throw new AssertionError(name + ": shape " + b.shapeString() + ", expected " + a.shapeString());
            }
            if (!Arrays.equals(a.data(), b.data())) throw new AssertionError(name + ": values differ");
        }
    }
}
