package dev.jllm.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.jllm.arch.Architectures;
import dev.jllm.io.AtomicFiles;
import dev.jllm.io.ModelFiles;
import dev.jllm.io.Safetensors;
import dev.jllm.io.StateDict;
import dev.jllm.model.CausalLM;
import dev.jllm.nn.LoRA;
import dev.jllm.optim.AdamW;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * One checkpoint folder: the model's files ({@link TrainedModel#writeCheckpoint}; a language model's are its Hugging
 * Face layout, {@code config.json} + {@code model.safetensors}, with LoRA the unmerged base and {@value LoRA#FILE}),
 * the AdamW moments ({@code optimizer.safetensors}, step counts in its metadata) and {@code trainer_state.json}
 * (step, tokens and examples seen, dropout generator state, training seconds).
 */
public final class Checkpoint {
    private Checkpoint() {}

    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String STATE = "trainer_state.json";
    /** A copy of the run's "training" settings, so that the checkpoint alone can resume the run. */
    public static final String TRAINING = "training.json";
    private static final String STEP_KEY = "step.";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A language model's checkpoint read back; {@code model} has no adapters yet, {@code adapters} is empty without LoRA. */
    public record Loaded(CausalLM model, Map<String, Tensor> adapters, Map<String, Tensor> optimizerTensors,
                         Map<String, Long> optimizerSteps, Trainer.State state) {
        public Progress progress() {
            return new Progress(optimizerTensors, optimizerSteps, state);
        }
    }

    /** Where the loop stood: the AdamW moments and step counts, and the trainer's state ({@link Trainer#restore}). */
    public record Progress(Map<String, Tensor> optimizerTensors, Map<String, Long> optimizerSteps, Trainer.State state) {}

    /**
     * Writes the checkpoint files into {@code dir} (which the caller makes appear atomically): the model's own
     * ({@link TrainedModel#writeCheckpoint}), the optimizer, the run's settings and the trainer's state.
     */
    public static void write(Path dir, TrainedModel<?> model, AdamW optimizer, Trainer.State state, JsonNode training)
            throws IOException {
        model.writeCheckpoint(dir);
        StateDict opt = StateDict.of(optimizer.stateTensors());
        optimizer.stepCounts().forEach((name, t) -> opt.metadata().put(STEP_KEY + name, Long.toString(t)));
        Safetensors.write(dir.resolve(OPTIMIZER), opt);
        AtomicFiles.writeString(dir.resolve(TRAINING), JSON.writeValueAsString(training) + "\n");
        AtomicFiles.writeString(dir.resolve(STATE), JSON.writeValueAsString(state)); // last: marks it complete
    }

    /** The language model's checkpoint in {@code dir}; the model's dropout is drawn from {@code dropoutRng}. */
    public static Loaded read(Path dir, RandomGenerator dropoutRng) throws IOException {
        requireFiles(dir, ModelFiles.WEIGHTS, ModelFiles.CONFIG);
        Progress progress = progress(dir);
        CausalLM model = Architectures.load(dir, dropoutRng);
        Path adapters = dir.resolve(LoRA.FILE);
        Map<String, Tensor> lora = Files.isRegularFile(adapters) ? Safetensors.read(adapters).tensors() : Map.of();
        return new Loaded(model, lora, progress.optimizerTensors(), progress.optimizerSteps(), progress.state());
    }

    /** The loop's side of the checkpoint in {@code dir}, for any model (its own files are the job's to read). */
    public static Progress progress(Path dir) throws IOException {
        requireFiles(dir, OPTIMIZER, STATE);
        StateDict opt = Safetensors.read(dir.resolve(OPTIMIZER));
        Map<String, Long> steps = new LinkedHashMap<>();
        opt.metadata().forEach((k, v) -> {
            if (k.startsWith(STEP_KEY)) steps.put(k.substring(STEP_KEY.length()), Long.parseLong(v));
        });
        Trainer.State state = JSON.readValue(dir.resolve(STATE).toFile(), Trainer.State.class);
        return new Progress(opt.tensors(), steps, state);
    }

    /** Refuses a checkpoint folder that lacks one of {@code files}. */
    public static void requireFiles(Path dir, String... files) {
        for (String f : files) {
            if (!Files.isRegularFile(dir.resolve(f))) throw new IllegalArgumentException(dir + ": checkpoint without " + f);
        }
    }
}
