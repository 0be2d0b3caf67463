package dev.jllm.finetune.instruct;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.data.Batch;
import dev.jllm.finetune.LoRARuns;
import dev.jllm.finetune.Splits;
import dev.jllm.model.CausalLM;
import dev.jllm.mpi.DataParallel;
import dev.jllm.prompt.ChatExample;
import dev.jllm.prompt.ChatFormat;
import dev.jllm.prompt.InstructionExample;
import dev.jllm.prompt.InstructionJson;
import dev.jllm.prompt.PromptFormat;
import dev.jllm.prompt.ResponseExample;
import dev.jllm.tensor.Ops;
import dev.jllm.tokenizer.Tokenizer;
import dev.jllm.train.Checkpoint;
import dev.jllm.train.RankFolder;
import dev.jllm.train.ResumableRandom;
import dev.jllm.train.RunFolder;
import dev.jllm.train.TrainProgress;
import dev.jllm.train.Trainer;
import java.io.IOException;
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
    public static Report start(CausalLM start, Tokenizer tokenizer, InstructSpec spec, Path out, TrainProgress progress,
                               IntConsumer responsesDone) throws IOException {
        DataParallel parallel = DataParallel.current();
        try (RunFolder run = RankFolder.create(out, parallel)) {
            if (parallel.leader()) tokenizer.save(out);
            return fromStepZero(start, tokenizer, spec, run, progress, responsesDone);
        }
    }

    private static Report fromStepZero(CausalLM start, Tokenizer tokenizer, InstructSpec spec, RunFolder run,
                                       TrainProgress progress, IntConsumer responsesDone) throws IOException {
        ResumableRandom rng = new ResumableRandom(spec.train().seed());
        CausalLM model = spec.lora()
                ? withLoRA(start.frozenCopy(0f, CausalLM.Head.UNTIED, rng), spec, null)
                : start.copy(0f, CausalLM.Head.KEEP, rng);
        Data data = Data.read(spec, tokenizer, model);
        if (DataParallel.current().leader()) run.writeModel(model, JSON.valueToTree(spec));
        Trainer<CausalLM, Batch> trainer = Trainer.of(model, rng, tokenizer, spec.train(), data.training(), run, progress);
        return finish(trainer, model, tokenizer, spec, data, run, responsesDone);
    }

    /** Loads a run's starting model by the name it was given ({@link InstructSpec#model()}). */
    @FunctionalInterface
    public interface ModelLoader {
        CausalLM load(String model) throws IOException;
    }

    /**
     * Continues the run in {@code dir} from its latest checkpoint, with the settings it was started with; a run
     * killed before its first checkpoint starts again from step 0, from its starting model ({@code loader}).
     */
    public static Report resume(Path dir, TrainProgress progress, IntConsumer responsesDone, ModelLoader loader)
            throws IOException {
        try (RunFolder run = RankFolder.open(dir, DataParallel.current())) {
            InstructSpec spec = JSON.treeToValue(RunFolder.training(dir), InstructSpec.class);
            Tokenizer tokenizer = Tokenizer.load(dir);
            if (RunFolder.latestCheckpoint(dir).isEmpty()) {
                return fromStepZero(loader.load(spec.model()), tokenizer, spec, run, progress, responsesDone);
            }
            ResumableRandom rng = new ResumableRandom(spec.train().seed());
            Checkpoint.Loaded checkpoint = Checkpoint.read(RankFolder.latestCheckpoint(dir), rng);
            CausalLM model = checkpoint.model();
            if (spec.lora()) withLoRA(model, spec, checkpoint);
            Data data = Data.read(spec, tokenizer, model);
            Trainer<CausalLM, Batch> trainer = Trainer.of(model, rng, tokenizer, spec.train(), data.training(), run, progress);
            trainer.restore(checkpoint.progress());
            return finish(trainer, model, tokenizer, spec, data, run, responsesDone);
        }
    }

    private static Report finish(Trainer<?, ?> trainer, CausalLM model, Tokenizer tokenizer, InstructSpec spec, Data data,
                                 RunFolder run, IntConsumer responsesDone) throws IOException {
        Trainer.Result result = trainer.runStoppable();
        if (!trainer.parallel().leader()) return new Report(run.dir(), result, null); // rank 0 answers the test set
        run.writePlot();
        if (result.outcome() == Trainer.Outcome.INTERRUPTED) return new Report(run.dir(), result, null);
        // The generator reads the weights directly, so LoRA adapters are merged in first.
        CausalLM plain = model.hasLoRA() ? model.merged() : model;
        plain.eval();
        List<ResponseExample> responses = spec.chat()
                ? TestResponses.generate(plain, data.chat(), data.chatTest(), spec.responseTokens(), responsesDone)
                : TestResponses.generate(plain, tokenizer, spec.promptFormat(), data.test(), spec.responseTokens(),
                        responsesDone);
        Path file = run.dir().resolve(RESPONSES);
        InstructionJson.writeResponses(file, responses);
        return new Report(run.dir(), result, file);
    }

    /**
     * Freezes the model and adds the book's LoRA adapters (appendix E) to its blocks and head (LoRA adapts the head
     * as the book's separate {@code out_head}, so a LoRA run starts from a frozen copy whose head is untied, a copy
     * of the token embedding for GPT-2; a bf16 checkpoint's weights stay bf16 under the adapters), as
     * {@link LoRARuns#attach} does.
     */
    private static CausalLM withLoRA(CausalLM model, InstructSpec spec, Checkpoint.Loaded checkpoint) {
        return LoRARuns.attach(model, spec.loraRank(), spec.loraAlpha(), true, spec.train().seed(), checkpoint);
    }

    /**
     * The run's splits: training and validation encoded for the trainer, the test entries as they are (the book's
     * instructions, or with a chat template the conversations and their {@link ChatFormat}).
     */
    private record Data(InstructionData<?> training, List<InstructionExample> test, ChatFormat chat,
                        List<ChatExample> chatTest) {
        static Data read(InstructSpec spec, Tokenizer tokenizer, CausalLM model) {
            Path file = Path.of(spec.data());
            int maxLength = Math.min(spec.train().contextLength(), model.config().contextLength());
            int batchSize = spec.train().batchSize() * DataParallel.current().ranks();
            if (spec.chat()) return chat(file, tokenizer, maxLength, batchSize);
            Splits<InstructionExample> splits = Splits.inOrder85_10_5(InstructionJson.readInstructions(file), file.toString());
            PromptFormat format = spec.promptFormat();
            InstructionCollator collator = new InstructionCollator(tokenizer.eotId(), Ops.IGNORE_INDEX,
                    maxLength, spec.maskPrompt());
            return new Data(new InstructionData<>(EncodedInstruction.encode(splits.train(), format, tokenizer::encode),
                    EncodedInstruction.encode(splits.validation(), format, tokenizer::encode), collator,
                    batchSize), splits.test(), null, null);
        }

        /** Conversations in the model's chat template; the loss learns the assistant's replies only. */
        private static Data chat(Path file, Tokenizer tokenizer, int maxLength, int batchSize) {
            ChatFormat chat = ChatFormat.of(tokenizer);
            List<ChatExample> all = InstructionJson.readConversations(file);
            Splits<ChatExample> splits = Splits.inOrder85_10_5(all, file.toString());
            String source = file.toString();
            List<ChatFormat.Tokens> train = EncodedChat.fitting(EncodedChat.encode(splits.train(), chat, source, 0), maxLength);
            List<ChatFormat.Tokens> val = EncodedChat.fitting(EncodedChat.encode(splits.validation(), chat, source,
                    all.size() - splits.validation().size()), maxLength);
            if (train.isEmpty() || val.isEmpty()) {
                throw new IllegalArgumentException(file + ": no " + (train.isEmpty() ? "training" : "validation")
                        + " conversation has a reply within the first " + maxLength + " tokens");
            }
            ChatCollator collator = new ChatCollator(tokenizer.eotId(), Ops.IGNORE_INDEX, maxLength);
            return new Data(new InstructionData<>(train, val, collator, batchSize), List.of(), chat, splits.test());
        }
    }
}
