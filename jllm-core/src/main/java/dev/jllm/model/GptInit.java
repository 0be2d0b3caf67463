package dev.jllm.model;

import dev.jllm.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The two ways of drawing a new model's weights ({@link InitScheme}). LayerNorm scale 1 and shift 0 in both.
 *
 * <p>{@link InitScheme#GPT2} (OpenAI's code and nanoGPT): weights and embeddings normal with std 0.02, the two
 * projections that write into the residual stream ({@code att.out_proj}, {@code ff.fc2}) with std
 * 0.02/√(2·layers) so that the stream's variance does not grow with depth, biases 0.
 *
 * <p>{@link InitScheme#PYTORCH} (the book's {@code GPTModel}, which keeps PyTorch's defaults): embeddings N(0, 1)
 * as {@code nn.Embedding}; Linear weights [out, in] and biases uniform in ±1/√in as {@code nn.Linear}
 * (kaiming_uniform with a=√5 gives that bound for the weight). The fused q/k/v weight [3C, C] has fan_in C, the
 * same as the book's three separate [C, C] Linears.
 */
final class GptInit {
    private GptInit() {}

    static final double STD = 0.02;

    static void apply(GptModel model, InitScheme scheme, RandomGenerator rng) {
        double residualStd = STD / Math.sqrt(2.0 * model.config.nLayers());
        Map<String, Tensor> params = model.namedParameters();
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            float[] v = t.data();
            if (name.endsWith(".scale")) {
                Arrays.fill(v, 1f);
            } else if (name.endsWith(".shift")) {
                Arrays.fill(v, 0f);
            } else if (scheme == InitScheme.PYTORCH) {
                if (name.startsWith("tok_emb.") || name.startsWith("pos_emb.")) {
                    normal(v, 1.0, rng);
                } else if (name.endsWith(".weight")) {
                    uniform(v, linearBound(t), rng);
                } else if (name.endsWith(".bias")) {
                    // A bias [out] takes the bound of its Linear's weight [out, in].
                    uniform(v, linearBound(params.get(name.substring(0, name.length() - 4) + "weight")), rng);
                } else {
                    throw new IllegalStateException("no PyTorch initialisation for parameter " + name);
                }
            } else if (name.endsWith(".bias")) {
                Arrays.fill(v, 0f);
            } else if (name.endsWith("att.out_proj.weight") || name.endsWith("ff.fc2.weight")) {
                normal(v, residualStd, rng);
            } else {
                normal(v, STD, rng);
            }
        }
    }

    /** 1/√fan_in of a Linear weight [out, in]. */
    private static double linearBound(Tensor weight) {
        return 1.0 / Math.sqrt(weight.shape()[1]);
    }

    private static void uniform(float[] v, double bound, RandomGenerator rng) {
        for (int i = 0; i < v.length; i++) v[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
    }

    private static void normal(float[] v, double std, RandomGenerator rng) {
        for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * std);
    }
}
