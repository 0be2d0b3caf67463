package dev.jllm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.model.GptConfig;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GptNamesTest {

    @Test
    void expectedShapesCountTheBooksParameters() {
        GptConfig small = GptConfig.preset("gpt2-small");
        assertThat(count(small.withQkvBias(false).withTiedHead(false))).isEqualTo(163_009_536L);
        assertThat(count(small.withQkvBias(false))).isEqualTo(124_412_160L);
        assertThat(count(small)).isEqualTo(124_439_808L); // Hugging Face's gpt2, with qkv bias
    }

    @Test
    void booksNamesBecomeHuggingFaceNamesAsPyTorchComputesThem() throws IOException {
        for (String model : new String[] {"book_tiny", "book_tiny_qkvbias"}) {
            StateDict book = Safetensors.read(TestWeights.resource(model + ".safetensors"));
            StateDict expected = Safetensors.read(TestWeights.resource(model + "_hf.safetensors"));
            assertThat(GptNames.naming(book)).isEqualTo(GptNames.Naming.BOOK);
            TestWeights.assertSame(expected, GptNames.canonical(book));
        }
    }

    @Test
    void huggingFacePrefixAndMaskBuffersAreDropped() {
        StateDict dict = new StateDict();
        dict.put("transformer.wte.weight", Tensor.zeros(3, 2));
        dict.put("transformer.h.0.attn.bias", Tensor.zeros(1, 1, 4, 4));
        dict.put("transformer.h.0.attn.masked_bias", Tensor.zeros());
        dict.put("transformer.h.0.attn.c_attn.bias", Tensor.zeros(6));
        dict.put("lm_head.weight", Tensor.zeros(3, 2));
        StateDict canonical = GptNames.canonical(dict);
        assertThat(canonical.names()).containsExactly("wte.weight", "h.0.attn.c_attn.bias", "lm_head.weight");
        assertThat(GptNames.isBuffer("h.3.attn.bias")).isTrue();
        assertThat(GptNames.isBuffer("trf_blocks.3.att.mask")).isTrue();
        assertThat(GptNames.isBuffer("h.3.attn.c_attn.bias")).isFalse();
    }

    @Test
    void fuseQkvPutsTransposedQueryKeyValueSideBySide() {
        // Linear weights [out=2, in=3]; c_attn[i][p*2 + o] = W_p[o][i]
        Tensor q = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor k = Tensor.of(new float[] {10, 20, 30, 40, 50, 60}, 2, 3);
        Tensor v = Tensor.of(new float[] {-1, -2, -3, -4, -5, -6}, 2, 3);
        Tensor fused = GptNames.fuseQkv(q, k, v);
        assertThat(fused.shape()).containsExactly(3, 6);
        assertThat(fused.data()).containsExactly(
                1, 4, 10, 40, -1, -4,
                2, 5, 20, 50, -2, -5,
                3, 6, 30, 60, -3, -6);
    }

    @Test
    void unknownBookTensorIsNamed() throws IOException {
        StateDict book = Safetensors.read(TestWeights.resource("book_tiny.safetensors"));
        book.put("trf_blocks.0.att.extra", Tensor.zeros(2));
        assertThatThrownBy(() -> GptNames.canonical(book))
                .hasMessage("unexpected tensor 'trf_blocks.0.att.extra' in a BOOK checkpoint");
    }

    @Test
    void missingBookTensorIsNamed() throws IOException {
        StateDict book = Safetensors.read(TestWeights.resource("book_tiny.safetensors"));
        book.remove("trf_blocks.1.norm2.shift");
        assertThatThrownBy(() -> GptNames.canonical(book))
                .hasMessage("missing tensor 'trf_blocks.1.norm2.shift' in a BOOK checkpoint");
    }

    @Test
    void checkNamesMissingMisshapenAndUnexpectedTensors() {
        GptConfig config = TestWeights.TINY;
        StateDict dict = TestWeights.random(config, 3);
        GptNames.check(config, dict);

        StateDict misshapen = new StateDict();
        dict.tensors().forEach((n, t) -> misshapen.put(n, n.equals("h.1.mlp.c_fc.weight") ? Tensor.zeros(32, 8) : t));
        assertThatThrownBy(() -> GptNames.check(config, misshapen))
                .hasMessageStartingWith("tensor 'h.1.mlp.c_fc.weight' has shape [32, 8] but the config needs [8, 32]");
        StateDict missing = TestWeights.random(config, 3);
        missing.remove("ln_f.bias");
        assertThatThrownBy(() -> GptNames.check(config, missing)).hasMessageStartingWith("missing tensor 'ln_f.bias'");
        StateDict extra = TestWeights.random(config, 3).put("lm_head.weight", Tensor.zeros(13, 8));
        assertThatThrownBy(() -> GptNames.check(config, extra)).hasMessageStartingWith("unexpected tensor 'lm_head.weight'");
    }

    private static long count(GptConfig config) {
        long n = 0;
        for (Map.Entry<String, int[]> e : GptNames.expectedShapes(config).entrySet()) n += Tensor.numel(e.getValue());
        return n;
    }
}
