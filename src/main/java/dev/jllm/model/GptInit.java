package dev.jllm.model;

import dev.jllm.tensor.Tensor;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * GPT-2's initialisation (as in OpenAI's code and nanoGPT): weights and embeddings normal with std 0.02, the two
 * projections that write into the residual stream ({@code att.out_proj}, {@code ff.fc2}) with std
 * 0.02/√(2·layers) so that the stream's variance does not grow with depth, biases 0, LayerNorm scale 1 and shift 0.
 */
final class GptInit {
    private GptInit() {}

    static final double STD = 0.02;

    static void apply(GptModel model, RandomGenerator rng) {
        double residualStd = STD / Math.sqrt(2.0 * model.config.nLayers());
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            String name = e.getKey();
            float[] v = e.getValue().data();
            if (name.endsWith(".scale")) {
                java.util.Arrays.fill(v, 1f);
            } else if (name.endsWith(".shift") || name.endsWith(".bias")) {
                java.util.Arrays.fill(v, 0f);
            } else if (name.endsWith("att.out_proj.weight") || name.endsWith("ff.fc2.weight")) {
                normal(v, residualStd, rng);
            } else {
                normal(v, STD, rng);
            }
        }
    }

    private static void normal(float[] v, double std, RandomGenerator rng) {
        for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * std);
    }
}
