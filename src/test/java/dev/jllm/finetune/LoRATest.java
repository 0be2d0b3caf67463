package dev.jllm.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.nn.LoRALinear;
import dev.jllm.nn.Linear;
import dev.jllm.nn.TransformerBlock;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LoRATest {

    @Test
    void theBooksTrainableParameterCountFor124MSpamClassifier() {
        var layers = LoRA.bookGptLinears(GptConfig.preset("gpt2-small"), 2);
        assertThat(layers).hasSize(12 * 6 + 1);
        assertThat(LoRA.trainableParameters(layers, 16)).isEqualTo(2_666_528L);
        assertThat(LoRA.trainableParameters(List.of(new LoRA.LinearShape(768, 2)), 16)).isEqualTo(16 * 770);
    }

    /** Wrapping a real (small) model's Linears, the fused qkv in three parts, adds exactly the book's count. */
    @Test
    void theCountMatchesLoRALinearsOnTheModel() {
        GptConfig config = new GptConfig(100, 16, 24, 2, 2, 0f, true, true);
        GptModel model = GptModel.create(config, 1);
        model.freeze();
        int e = config.embDim();
        SplittableRandom rng = new SplittableRandom(2);
        long added = 0;
        for (TransformerBlock block : model.blocks) {
            for (var wrapped : List.of(new LoRALinear(block.att.qkv, 4, 4, rng, e, e, e),
                    new LoRALinear(block.att.outProj, 4, 4, rng), new LoRALinear(block.ff.fc1, 4, 4, rng),
                    new LoRALinear(block.ff.fc2, 4, 4, rng))) {
                added += wrapped.trainableParameterCount();
            }
        }
        Linear head = new Linear(e, 3, true);
        head.freeze();
        added += new LoRALinear(head, 4, 4, rng).trainableParameterCount();
        assertThat(added).isEqualTo(LoRA.trainableParameters(LoRA.bookGptLinears(config, 3), 4));
    }
}
