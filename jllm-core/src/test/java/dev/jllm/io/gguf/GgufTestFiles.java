package dev.jllm.io.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.function.Function;
import org.assertj.core.data.Offset;

/** The committed GGUF test files under src/test/resources/gguf (made by tools/reference/gguf_*.py). */
public final class GgufTestFiles {
    private GgufTestFiles() {}

    public static Path resource(String name) {
        try {
            return Path.of(GgufTestFiles.class.getResource("/gguf/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource gguf/" + name, e);
        }
    }

    /** types.gguf: metadata of every type, random blocks of every tensor type with gguf-py's dequantization. */
    public static Path types() {
        return resource("types.gguf");
    }

    /**
     * Decodes {@code steps} greedy tokens after {@code prompt} with both decoders ({@code append(ids)} → the next logits),
     * each fed its own choice: {@code quant}'s logits within 1e-4 · (1 + max |logit|) of {@code ref}'s at every step,
     * and the same ids.
     */
    public static void assertSameGreedyIds(Function<int[], float[]> ref, Function<int[], float[]> quant, int[] prompt, int steps) {
        float[] a = ref.apply(prompt), b = quant.apply(prompt);
        int[] ga = new int[steps], gb = new int[steps];
        for (int step = 0; step < steps; step++) {
            float max = 0;
            for (float v : a) max = Math.max(max, Math.abs(v));
            for (int i = 0; i < a.length; i++) assertThat(b[i]).as("step %d logit %d", step, i).isCloseTo(a[i], Offset.offset(1e-4f * (1 + max)));
            ga[step] = argmax(a);
            gb[step] = argmax(b);
            a = ref.apply(new int[] {ga[step]});
            b = quant.apply(new int[] {gb[step]});
        }
        assertThat(gb).isEqualTo(ga);
    }

    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
