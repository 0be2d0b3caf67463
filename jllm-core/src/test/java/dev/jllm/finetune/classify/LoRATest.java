package dev.jllm.finetune.classify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.nn.Linear;
import dev.jllm.nn.TransformerBlock;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LoRATest {

    @Test
    void theBooksTrainableParameterCountFor124MSpamClassifier() {
        var layers = LoRASizes.bookGptLinears(GptConfig.preset("gpt2-small"), 2);
        assertThat(layers).hasSize(12 * 6 + 1);
        assertThat(LoRASizes.trainableParameters(layers, 16)).isEqualTo(2_666_528L);
        assertThat(LoRASizes.trainableParameters(List.of(new LoRASizes.LinearShape(768, 2)), 16)).isEqualTo(16 * 770);
    }

    /** LoRA on a real (small) model's Linears, the fused qkv in three parts, adds exactly the book's count. */
    @Test
    void theCountMatchesLoRAOnTheModel() {
        GptConfig config = new GptConfig(100, 16, 24, 2, 2, 0f, true, true);
        GptModel model = GptModel.create(config, 1);
        model.freeze();
        int e = config.embDim();
        SplittableRandom rng = new SplittableRandom(2);
        for (TransformerBlock block : model.blocks) {
            block.att.qkv.addLoRA(4, 4, rng, e, e, e);
            for (Linear l : List.of(block.att.outProj, block.ff.fc1, block.ff.fc2)) l.addLoRA(4, 4, rng);
        }
        long added = model.trainableParameterCount();
        Linear head = new Linear(e, 3, true);
        head.freeze();
        head.addLoRA(4, 4, rng);
        added += head.trainableParameterCount();
        assertThat(added).isEqualTo(LoRASizes.trainableParameters(LoRASizes.bookGptLinears(config, 3), 4));
    }
}
