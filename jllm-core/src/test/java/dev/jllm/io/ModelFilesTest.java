package dev.jllm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.model.GptConfig;
import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {

    @TempDir
    Path dir;

    @Test
    void loadsAHuggingFaceFolderWithPrefixBuffersAndUntiedHead() throws IOException {
        GptCheckpoint loaded = ModelFiles.load(TestWeights.resource("hf_tiny"));
        assertThat(loaded.config()).isEqualTo(TestWeights.TINY.withTiedHead(false));
        assertThat(loaded.naming()).isEqualTo(GptNames.Naming.HUGGING_FACE);
        TestWeights.assertSame(Safetensors.read(TestWeights.resource("hf_tiny_canonical.safetensors")), loaded.weights());
    }

    @Test
    void loadsTheLayoutOfOpenAiCommunityGpt2WithoutPrefixAndWithFloatMaskBuffers() throws IOException {
        StateDict canonical = TestWeights.random(TestWeights.TINY, 9);
        StateDict onDisk = new StateDict();
        canonical.tensors().forEach((name, t) -> {
            onDisk.put(name, t);
            if (name.endsWith(".ln_1.weight")) {
                String layer = name.substring(0, name.indexOf(".ln_1"));
                onDisk.put(layer + ".attn.bias", Tensor.zeros(1, 1, 6, 6));
                onDisk.put(layer + ".attn.masked_bias", Tensor.of(new float[] {-1e4f}));
            }
        });
        Safetensors.write(dir.resolve("model.safetensors"), onDisk);
        // their config.json leaves tie_word_embeddings out (it defaults to true) and has n_ctx beside n_positions
        Files.writeString(dir.resolve("config.json"), "{\"activation_function\": \"gelu_new\", \"architectures\":"
                + " [\"GPT2LMHeadModel\"], \"attn_pdrop\": 0.1, \"embd_pdrop\": 0.1, \"layer_norm_epsilon\": 1e-05,"
                + " \"model_type\": \"gpt2\", \"n_ctx\": 6, \"n_embd\": 8, \"n_head\": 2, \"n_layer\": 2,"
                + " \"n_positions\": 6, \"resid_pdrop\": 0.1, \"vocab_size\": 13}");
        GptCheckpoint loaded = ModelFiles.load(dir);
        assertThat(loaded.config()).isEqualTo(TestWeights.TINY);
        TestWeights.assertSame(canonical, loaded.weights());
    }

    @Test
    void saveThenLoadRoundTripsEveryKindOfModel() throws IOException {
        GptConfig[] configs = {
            TestWeights.TINY,
            TestWeights.TINY.withTiedHead(false),
            TestWeights.TINY.withQkvBias(false),
            TestWeights.TINY.withQkvBias(false).withTiedHead(false).withDropRate(0f),
        };
        for (GptConfig config : configs) {
            StateDict weights = TestWeights.random(config, 11);
            Path out = dir.resolve("m" + config.hashCode());
            ModelFiles.save(out, config, weights);
            GptCheckpoint loaded = ModelFiles.load(out);
            assertThat(loaded.config()).isEqualTo(config);
            TestWeights.assertSame(weights, loaded.weights());
        }
    }

    @Test
    void savedFileUsesTheNamesSavePretrainedWrites() throws IOException {
        GptConfig config = TestWeights.TINY.withQkvBias(false).withTiedHead(false);
        ModelFiles.save(dir, config, TestWeights.random(config, 2));
        StateDict onDisk = Safetensors.read(dir.resolve("model.safetensors"));
        assertThat(onDisk.names()).startsWith("transformer.wte.weight", "transformer.wpe.weight").endsWith("lm_head.weight");
        // Hugging Face's GPT-2 always has a qkv bias: a model without one is written with zeros
        assertThat(onDisk.get("transformer.h.1.attn.c_attn.bias").data()).containsOnly(0f);
        assertThat(onDisk.metadata()).containsEntry("format", "pt");
        assertThat(Files.readString(dir.resolve("config.json"))).contains("\"qkv_bias\" : false", "\"tie_word_embeddings\" : false");
    }

    @Test
    void bookFileLoadsWithItsConfigOrByGpt2Sizes() throws IOException {
        Files.copy(TestWeights.resource("book_tiny_qkvbias.safetensors"), dir.resolve("gpt2-tiny.safetensors"));
        Files.writeString(dir.resolve("config.json"), "{\"vocab_size\": 13, \"context_length\": 6, \"emb_dim\": 8,"
                + " \"n_heads\": 2, \"n_layers\": 2, \"drop_rate\": 0.0, \"qkv_bias\": true}");
        GptCheckpoint loaded = ModelFiles.load(dir);
        assertThat(loaded.naming()).isEqualTo(GptNames.Naming.BOOK);
        assertThat(loaded.config()).isEqualTo(new GptConfig(13, 6, 8, 2, 2, 0f, true, false));
        StateDict expected = Safetensors.read(TestWeights.resource("book_tiny_qkvbias_hf.safetensors"));
        TestWeights.assertSame(expected, loaded.weights());

        Files.delete(dir.resolve("config.json"));
        assertThatThrownBy(() -> ModelFiles.load(dir)).hasMessageContaining("embedding width 8 is not a GPT-2 size");
    }

    @Test
    void bookFileWithoutConfigAtGpt2WidthInfersTheSizesAndTiesAnEqualHead() throws IOException {
        GptConfig config = new GptConfig(5, 4, 768, 12, 1, 0.1f, true, true);
        StateDict canonical = TestWeights.random(config, 4);
        StateDict book = new StateDict(); // the canonical weights under the book's names, with out_head = tok_emb
        book.put("tok_emb.weight", canonical.get("wte.weight"));
        book.put("pos_emb.weight", canonical.get("wpe.weight"));
        String b = "trf_blocks.0.", h = "h.0.";
        Tensor cAttn = canonical.get(h + "attn.c_attn.weight");
        String[] qkv = {"W_query", "W_key", "W_value"};
        for (int p = 0; p < 3; p++) {
            float[] w = new float[768 * 768];
            for (int i = 0; i < 768; i++) for (int o = 0; o < 768; o++) w[o * 768 + i] = cAttn.data()[i * 2304 + p * 768 + o];
            book.put(b + "att." + qkv[p] + ".weight", Tensor.of(w, 768, 768));
            float[] bias = new float[768];
            System.arraycopy(canonical.get(h + "attn.c_attn.bias").data(), p * 768, bias, 0, 768);
            book.put(b + "att." + qkv[p] + ".bias", Tensor.of(bias, 768));
        }
        book.put(b + "att.out_proj.weight", Ops.transpose(canonical.get(h + "attn.c_proj.weight"), 0, 1));
        book.put(b + "att.out_proj.bias", canonical.get(h + "attn.c_proj.bias"));
        book.put(b + "att.mask", Tensor.zeros(4, 4));
        book.put(b + "norm1.scale", canonical.get(h + "ln_1.weight"));
        book.put(b + "norm1.shift", canonical.get(h + "ln_1.bias"));
        book.put(b + "norm2.scale", canonical.get(h + "ln_2.weight"));
        book.put(b + "norm2.shift", canonical.get(h + "ln_2.bias"));
        book.put(b + "ff.layers.0.weight", Ops.transpose(canonical.get(h + "mlp.c_fc.weight"), 0, 1));
        book.put(b + "ff.layers.0.bias", canonical.get(h + "mlp.c_fc.bias"));
        book.put(b + "ff.layers.2.weight", Ops.transpose(canonical.get(h + "mlp.c_proj.weight"), 0, 1));
        book.put(b + "ff.layers.2.bias", canonical.get(h + "mlp.c_proj.bias"));
        book.put("final_norm.scale", canonical.get("ln_f.weight"));
        book.put("final_norm.shift", canonical.get("ln_f.bias"));
        book.put("out_head.weight", canonical.get("wte.weight"));
        Safetensors.write(dir.resolve("gpt2-small-124M.safetensors"), book);

        GptCheckpoint loaded = ModelFiles.load(dir.resolve("gpt2-small-124M.safetensors"));
        assertThat(loaded.config()).isEqualTo(config);
        TestWeights.assertSame(canonical, loaded.weights());
    }

    @Test
    void configThatDisagreesWithTheWeightsNamesTensorAndBothShapes() throws IOException {
        ModelFiles.save(dir, TestWeights.TINY, TestWeights.random(TestWeights.TINY, 1));
        GptConfigJson.write(dir.resolve("config.json"), TestWeights.TINY.withContextLength(16));
        assertThatThrownBy(() -> ModelFiles.load(dir))
                .hasMessageContaining("model.safetensors: tensor 'wpe.weight' has shape [6, 8] but the config needs [16, 8]");

        GptConfigJson.write(dir.resolve("config.json"), new GptConfig(13, 6, 8, 2, 3, 0.1f, true, true));
        assertThatThrownBy(() -> ModelFiles.load(dir)).hasMessageContaining("missing tensor 'h.2.ln_1.weight'");

        GptConfigJson.write(dir.resolve("config.json"), new GptConfig(13, 6, 8, 2, 1, 0.1f, true, true));
        assertThatThrownBy(() -> ModelFiles.load(dir)).hasMessageContaining("unexpected tensor 'h.1.ln_1.weight'");
    }

    @Test
    void tiedConfigWithADifferentHeadIsAnError() throws IOException {
        GptConfig untied = TestWeights.TINY.withTiedHead(false);
        ModelFiles.save(dir, untied, TestWeights.random(untied, 1));
        GptConfigJson.write(dir.resolve("config.json"), TestWeights.TINY);
        assertThatThrownBy(() -> ModelFiles.load(dir)).hasMessageContaining("lm_head.weight holds different values");
    }

    @Test
    void folderDetectionErrors() throws IOException {
        assertThatThrownBy(() -> ModelFiles.load(dir)).hasMessageContaining("no model found");
        assertThat(ModelFiles.isModel(dir)).isFalse();
        Files.writeString(dir.resolve("gpt2-small-124M.pth"), "x");
        assertThatThrownBy(() -> ModelFiles.load(dir)).hasMessageContaining("PyTorch .pth files are not supported");
        Files.copy(TestWeights.resource("book_tiny.safetensors"), dir.resolve("a.safetensors"));
        Files.copy(TestWeights.resource("book_tiny.safetensors"), dir.resolve("b.safetensors"));
        assertThatThrownBy(() -> ModelFiles.load(dir)).hasMessageContaining("several .safetensors files");
        Files.move(dir.resolve("a.safetensors"), dir.resolve("model.safetensors"), StandardCopyOption.REPLACE_EXISTING);
        assertThat(ModelFiles.isModel(dir)).isTrue();
        assertThatThrownBy(() -> ModelFiles.load(dir.resolve("nothing-here"))).hasMessageContaining("no such file or folder");
    }
}
