package dev.jllm.model;

import dev.jllm.io.GptConfigJson;
import dev.jllm.io.Safetensors;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/** Small models for tests. */
public final class TestModels {
    private TestModels() {}

    /** The tiny GPT-2 that tools/reference/gpt_golden.py built with PyTorch (vocab 257, context 24, emb 48). */
    public static Path goldenDir() {
        try {
            return Path.of(TestModels.class.getResource("/dev/jllm/model/golden").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static GptModel golden() throws IOException {
        Path dir = goldenDir().resolve("model");
        GptConfig config = GptConfigJson.read(dir.resolve("config.json"));
        return GptModel.fromStateDict(config, Safetensors.read(dir.resolve("model.safetensors")).tensors());
    }

    /**
     * A random model with weights of std {@code std} (LayerNorm scales around 1), large enough that the top
     * logits are well apart, so that greedy choices do not hinge on rounding.
     */
    public static GptModel random(GptConfig config, long seed, double std) {
        GptModel model = new GptModel(config, new SplittableRandom(seed + 1));
        SplittableRandom rng = new SplittableRandom(seed);
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            float[] v = e.getValue().data();
            float base = e.getKey().endsWith(".scale") ? 1f : 0f;
            for (int i = 0; i < v.length; i++) v[i] = base + (float) (rng.nextGaussian() * std);
        }
        return model;
    }

    /** vocab 97, context 16, emb 32, 4 heads, 2 layers, dropout 0.1, qkv bias, tied head. */
    public static GptConfig tiny() {
        return new GptConfig(97, 16, 32, 4, 2, 0.1f, true, true);
    }
}
