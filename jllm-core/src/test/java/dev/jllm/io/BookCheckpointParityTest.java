package dev.jllm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.model.GptModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: a state dict saved from the book's PyTorch GPTModel, loaded through {@link ModelFiles} into jllm's
 * {@link GptModel}, gives the logits PyTorch computed (tools/reference/safetensors_golden.py). This is what shows the
 * q/k/v fusion and the transposes are right, not merely self-consistent.
 */
class BookCheckpointParityTest {

    @TempDir
    Path dir;

    @Test
    void bookModelsGiveTorchsLogits() throws IOException {
        for (String name : new String[] {"book_tiny", "book_tiny_qkvbias"}) {
            Files.copy(TestWeights.resource(name + ".safetensors"), dir.resolve(name + ".safetensors"));
            Files.writeString(dir.resolve("config.json"), "{\"vocab_size\": 13, \"context_length\": 6, \"emb_dim\": 8,"
                    + " \"n_heads\": 2, \"n_layers\": 2, \"drop_rate\": 0.0, \"qkv_bias\": " + name.endsWith("qkvbias") + "}");
            GptCheckpoint checkpoint = ModelFiles.load(dir.resolve(name + ".safetensors"));
            GptModel model = GptModel.fromStateDict(checkpoint.config(), checkpoint.weights().tensors());
            model.eval();

            JsonNode golden = new ObjectMapper().readTree(TestWeights.resource(name + "_logits.json").toFile());
            int[] ids = new int[golden.get("ids").size()];
            for (int i = 0; i < ids.length; i++) ids[i] = golden.get("ids").get(i).asInt();
            float[] logits = model.forward(ids, 1, ids.length).data();
            assertThat(logits).hasSize(golden.get("logits").size());
            for (int i = 0; i < logits.length; i++) {
                assertThat(logits[i]).as(name + " logit " + i).isCloseTo((float) golden.get("logits").get(i).asDouble(), within(1e-4f));
            }
            Files.delete(dir.resolve(name + ".safetensors"));
        }
    }
}
