package dev.jllm.tensor;

import static dev.jllm.tensor.GradCheck.relErr;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity with PyTorch 1.13 in fp32 (golden values from tools/reference/ops_golden.py): outputs and input
 * gradients within 1e-5 relative error for elementwise ops, 1e-4 for reductions and matrix products.
 */
class OpsGoldenTest {

    /** Ops that sum over many terms (reductions, products): compared at 1e-4 instead of 1e-5. */
    private static final Set<String> REDUCING = Set.of("linear", "matmul", "layerNorm", "softmax", "logSoftmax",
            "causalAttention", "crossEntropy", "sum", "mean");

    static Stream<Arguments> cases() throws IOException {
        try (InputStream in = OpsGoldenTest.class.getResourceAsStream("/golden/ops/ops.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<Arguments> list = new ArrayList<>();
            root.get("cases").forEach(c -> list.add(Arguments.of(c.get("name").asText(), c)));
            return list.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(String name, JsonNode c) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        c.get("inputs").properties().forEach(e -> in.put(e.getKey(),
                Tensor.of(floats(e.getValue().get("data")), ints(e.getValue().get("shape"))).requiresGrad(true)));
        JsonNode extra = c.get("extra"), intArgs = c.get("ints");
        int[] outShape = ints(c.get("output").get("shape"));
        Tensor out = switch (c.get("op").asText()) {
            case "linear" -> Ops.linear(in.get("x"), in.get("w"), in.get("b"));
            case "matmul" -> Ops.matmul(in.get("a"), in.get("b"));
            case "embedding" -> Ops.embedding(in.get("weight"), ints(intArgs.get("ids")),
                    Arrays.copyOf(outShape, outShape.length - 1));
            case "layerNorm" -> Ops.layerNorm(in.get("x"), in.get("gamma"), in.get("beta"), 1e-5f);
            case "gelu" -> Ops.gelu(in.get("x"));
            case "softmax" -> Ops.softmax(in.get("x"));
            case "logSoftmax" -> Ops.logSoftmax(in.get("x"));
            case "causalAttention" -> Ops.causalAttention(in.get("q"), in.get("k"), in.get("v"),
                    extra.get("heads").asInt(), 0f, null);
            case "crossEntropy" -> Ops.crossEntropy(in.get("logits"), ints(intArgs.get("targets")),
                    extra.get("ignoreIndex").asInt());
            case "add" -> Ops.add(in.get("a"), in.get("b"));
            case "mul" -> Ops.mul(in.get("a"), in.get("b"));
            case "scale" -> Ops.scale(in.get("x"), (float) extra.get("s").asDouble());
            case "transpose" -> Ops.transpose(in.get("x"), extra.get("dim0").asInt(), extra.get("dim1").asInt());
            case "concat" -> Ops.concat(extra.get("dim").asInt(), in.get("a"), in.get("b"));
            case "narrow" -> Ops.narrow(in.get("x"), extra.get("dim").asInt(), extra.get("start").asInt(),
                    extra.get("length").asInt());
            case "sum" -> Ops.sum(in.get("x"));
            case "mean" -> Ops.mean(in.get("x"));
            default -> throw new IllegalStateException("unknown op in golden file: " + c.get("op"));
        };
        double tol = REDUCING.contains(c.get("op").asText()) ? 1e-4 : 1e-5;
        assertThat(out.shape()).as(name + " shape").containsExactly(outShape);
        assertThat(relErr(out.data(), floats(c.get("output").get("data")))).as(name + " output").isLessThan(tol);

        Ops.sum(Ops.mul(out, Tensor.of(floats(c.get("w")), out.shape()))).backward();
        c.get("grads").properties().forEach(e -> assertThat(relErr(in.get(e.getKey()).grad(), floats(e.getValue())))
                .as(name + " gradient of " + e.getKey()).isLessThan(tol));
    }

    private static float[] floats(JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) a.get(i).asDouble();
        return f;
    }

    private static int[] ints(JsonNode a) {
        int[] f = new int[a.size()];
        for (int i = 0; i < f.length; i++) f[i] = a.get(i).asInt();
        return f;
    }
}
