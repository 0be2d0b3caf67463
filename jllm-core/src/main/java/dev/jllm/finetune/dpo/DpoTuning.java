package dev.jllm.finetune.dpo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.arch.LoadedModel;
import dev.jllm.finetune.LoRARuns;
import dev.jllm.finetune.Splits;
import dev.jllm.model.CausalLM;
import dev.jllm.mpi.DataParallel;
import dev.jllm.prompt.ChatFormat;
import dev.jllm.prompt.ChatPreference;
import dev.jllm.prompt.InstructionJson;
import dev.jllm.prompt.PreferenceExample;
import dev.jllm.tokenizer.Tokenizer;
import dev.jllm.train.Checkpoint;
import dev.jllm.train.RankFolder;
import dev.jllm.train.ResumableRandom;
import dev.jllm.train.RunFolder;
import dev.jllm.train.TrainProgress;
import dev.jllm.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A whole DPO run, as {@code jllm finetune dpo} does it (the book's chapter 7 bonus): read and split the preference
 * pairs, encode them in the model's prompt format, and train the policy against a frozen copy of the starting model
 * with the {@link Trainer} (run folder, metrics.csv with the reward margin and accuracy, loss plot, checkpoints,
 * resume, Ctrl-C, non-finite stop).
 */
public final class DpoTuning {
    private DpoTuning() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What a run reports.
     *
     * @param valRewardMargin   the last evaluation's reward margin on the validation pairs
     * @param valRewardAccuracy the last evaluation's reward accuracy on the validation pairs
     */
    public record Report(Path runDir, Trainer.Result result, double valRewardMargin, double valRewardAccuracy) {
        static Report of(Path dir, Trainer.Result r) {
            // metrics: train/val reward margin, then train/val reward accuracy (DpoData.METRICS)
            return new Report(dir, r, r.metrics()[1], r.metrics()[3]);
        }
    }

    /**
     * Starts a run in {@code out}: the policy is a copy of {@code start} without dropout (as in the book, so that
     * policy and reference agree exactly before the first step), or with LoRA a frozen copy with adapters (B = 0:
     * the same function); {@code start} itself becomes the frozen reference.
     */
    public static Report start(CausalLM start, Tokenizer tokenizer, DpoConfig spec, Path out, TrainProgress progress,
                               PrintWriter log) throws IOException {
        ResumableRandom rng = new ResumableRandom(spec.seed());
        CausalLM policy = spec.lora()
                ? LoRARuns.attach(start.frozenCopy(0f, CausalLM.Head.KEEP, rng), spec.loraRank(), spec.loraAlpha(), false,
                        spec.seed(), null)
                : start.copy(0f, CausalLM.Head.KEEP, rng);
        DpoData data = data(spec, tokenizer, policy, frozen(start), log);
        DataParallel parallel = DataParallel.current();
        try (RunFolder run = RankFolder.create(out, DpoData.COLUMNS, parallel)) {
            if (parallel.leader()) {
                tokenizer.save(out);
                run.writeModel(policy, JSON.valueToTree(spec));
            }
            return train(Trainer.of(policy, rng, tokenizer, spec.train(), data, run, progress), run);
        }
    }

    /**
     * Continues the run in {@code dir} from its latest checkpoint, with the settings it was started with; the
     * reference is the starting model again, read from where the run found it.
     */
    public static Report resume(Path dir, TrainProgress progress, PrintWriter log) throws IOException {
        try (RunFolder run = RankFolder.open(dir, DpoData.COLUMNS, DataParallel.current())) {
            DpoConfig spec = JSON.treeToValue(RunFolder.training(dir), DpoConfig.class);
            Tokenizer tokenizer = Tokenizer.load(dir);
            ResumableRandom rng = new ResumableRandom(spec.seed());
            Checkpoint.Loaded checkpoint = Checkpoint.read(RankFolder.latestCheckpoint(dir), rng);
            CausalLM policy = checkpoint.model();
            if (spec.lora()) LoRARuns.attach(policy, spec.loraRank(), spec.loraAlpha(), false, spec.seed(), checkpoint);
            DpoData data = data(spec, tokenizer, policy, frozen(LoadedModel.load(spec.model()).model()), log);
            Trainer<CausalLM, PreferenceBatch> trainer = Trainer.of(policy, rng, tokenizer, spec.train(), data, run, progress);
            trainer.restore(checkpoint.progress());
            return train(trainer, run);
        }
    }

    private static Report train(Trainer<CausalLM, PreferenceBatch> trainer, RunFolder run) throws IOException {
        Trainer.Result result = trainer.runStoppable();
        run.writePlot();
        return Report.of(run.dir(), result);
    }

    private static CausalLM frozen(CausalLM reference) {
        reference.freeze();
        reference.eval();
        return reference;
    }

    /** The training and validation pairs, encoded in the run's prompt format or the model's chat template. */
    private static DpoData data(DpoConfig spec, Tokenizer tokenizer, CausalLM policy, CausalLM reference,
                                PrintWriter log) {
        Path file = Path.of(spec.data());
        List<EncodedPreference> allTrain, allVal;
        if (spec.chat()) {
            ChatFormat chat = ChatFormat.of(tokenizer);
            List<ChatPreference> all = InstructionJson.readChatPreferences(file);
            Splits<ChatPreference> splits = Splits.inOrder85_10_5(all, file.toString());
            allTrain = EncodedPreference.encode(splits.train(), chat, file.toString(), 0);
            allVal = EncodedPreference.encode(splits.validation(), chat, file.toString(),
                    all.size() - splits.validation().size());
        } else {
            Splits<PreferenceExample> splits = Splits.inOrder85_10_5(InstructionJson.readPreferences(file), file.toString());
            allTrain = EncodedPreference.encode(splits.train(), spec.promptFormat(), tokenizer::encode);
            allVal = EncodedPreference.encode(splits.validation(), spec.promptFormat(), tokenizer::encode);
        }
        int allowed = Math.min(spec.maxLength(), policy.config().contextLength());
        // As instruction tuning does, a pair whose prompt fills the context is left out (with a count), not fatal.
        List<EncodedPreference> train = EncodedPreference.fitting(allTrain, allowed);
        List<EncodedPreference> val = EncodedPreference.fitting(allVal, allowed);
        int skipped = allTrain.size() - train.size() + allVal.size() - val.size();
        if (skipped > 0) {
            log.printf(Locale.ROOT, "skipped %d of %d preference pairs whose prompt leaves no response token within %d"
                    + " tokens%n", skipped, allTrain.size() + allVal.size(), allowed);
        }
        log.printf(Locale.ROOT, "DPO of %s on %s: %d training and %d validation pairs (%s format), beta %s, lr %s%n",
                spec.model(), file, train.size(), val.size(), spec.format(), spec.beta(), spec.lr());
        log.flush();
        PreferenceCollator collator = new PreferenceCollator(tokenizer.eotId(), allowed);
        int globalBatch = spec.batchSize() * DataParallel.current().ranks(); // each rank trains on its share
        return new DpoData(train, val, collator, globalBatch, reference, (float) spec.beta());
    }
}
