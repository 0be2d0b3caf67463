package dev.jllm.finetune;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.io.GptCheckpoint;
import dev.jllm.model.GptModel;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import dev.jllm.tokenizer.Tokenizer;
import dev.jllm.train.Checkpoint;
import dev.jllm.train.ResumableRandom;
import dev.jllm.train.RunFolder;
import dev.jllm.train.TrainProgress;
import dev.jllm.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * A whole instruction-finetuning run, as {@code jllm finetune instruct} does it (the book's chapter 7): read and
 * split the instructions, encode them in the prompt format, train with the pretraining {@link Trainer} (run folder,
 * metrics, plot, checkpoints, resume), then answer the test instructions and save the answers as
 * {@value #RESPONSES} in the run folder.
 */
public final class InstructionTuning {
    private InstructionTuning() {}

    /** The test responses, in the form of the book's file of the same name. */
    public static final String RESPONSES = "instruction-data-with-response.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a run reports; {@code responses} is null when it was interrupted. */
    public record Report(Path runDir, Trainer.Result result, Path responses) {}

    /**
     * Starts a run in {@code out} from {@code start} (weights are copied; dropout is switched off as in the book).
     */
    public static Report start(GptModel start, Tokenizer tokenizer, InstructSpec spec, Path out, TrainProgress progress,
                               IntConsumer responsesDone) throws IOException {
        ResumableRandom rng = new ResumableRandom(spec.train().seed());
        GptModel model = GptModel.fromStateDict(start.config.withDropRate(0f), start.stateDict(), rng);
        Data data = Data.read(spec, tokenizer, model);
        try (RunFolder run = RunFolder.create(out)) {
            if (tokenizer instanceof Gpt2Tokenizer t) t.save(out);
            run.writeModel(model, JSON.valueToTree(spec));
            Trainer trainer = new Trainer(model, rng, tokenizer, spec.train(), data.training(), run, progress);
            return finish(trainer, model, tokenizer, spec, data, run, responsesDone);
        }
    }

    /** Continues the run in {@code dir} from its latest checkpoint, with the settings it was started with. */
    public static Report resume(Path dir, TrainProgress progress, IntConsumer responsesDone) throws IOException {
        try (RunFolder run = RunFolder.open(dir)) {
            InstructSpec spec = JSON.treeToValue(run.training(), InstructSpec.class);
            Tokenizer tokenizer = Gpt2Tokenizer.load(dir);
            Checkpoint.Loaded checkpoint = Checkpoint.read(run.latestCheckpoint().orElseThrow());
            GptCheckpoint weights = checkpoint.model();
            ResumableRandom rng = new ResumableRandom(spec.train().seed());
            GptModel model = GptModel.fromStateDict(weights.config(), weights.weights().tensors(), rng);
            Data data = Data.read(spec, tokenizer, model);
            Trainer trainer = new Trainer(model, rng, tokenizer, spec.train(), data.training(), run, progress);
            trainer.restore(checkpoint);
            return finish(trainer, model, tokenizer, spec, data, run, responsesDone);
        }
    }

    private static Report finish(Trainer trainer, GptModel model, Tokenizer tokenizer, InstructSpec spec, Data data,
                                 RunFolder run, IntConsumer responsesDone) throws IOException {
        Trainer.Result result = trainer.runStoppable();
        run.writePlot();
        if (result.outcome() == Trainer.Outcome.INTERRUPTED) return new Report(run.dir(), result, null);
        model.eval();
        List<ResponseExample> responses = TestResponses.generate(model, tokenizer, spec.promptFormat(), data.test(),
                spec.responseTokens(), responsesDone);
        Path file = run.dir().resolve(RESPONSES);
        InstructionJson.writeResponses(file, responses);
        return new Report(run.dir(), result, file);
    }

    /** The run's splits: training and validation encoded for the trainer, the test entries as they are. */
    private record Data(InstructionData training, List<InstructionExample> test) {
        static Data read(InstructSpec spec, Tokenizer tokenizer, GptModel model) {
            Path file = Path.of(spec.data());
            Splits<InstructionExample> splits = Splits.inOrder85_10_5(InstructionJson.readInstructions(file), file.toString());
            PromptFormat format = spec.promptFormat();
            int maxLength = Math.min(spec.train().contextLength(), model.config.contextLength());
            InstructionCollator collator = new InstructionCollator(tokenizer.eotId(), InstructionCollator.IGNORE_INDEX,
                    maxLength, spec.maskPrompt());
            return new Data(new InstructionData(EncodedInstruction.encode(splits.train(), format, tokenizer::encode),
                    EncodedInstruction.encode(splits.validation(), format, tokenizer::encode), collator,
                    spec.train().batchSize()), splits.test());
        }
    }
}
