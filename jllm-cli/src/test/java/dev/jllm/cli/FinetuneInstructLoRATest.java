package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.finetune.instruct.InstructSpec;
import dev.jllm.finetune.instruct.InstructionTuning;
import dev.jllm.io.GptCheckpoint;
import dev.jllm.io.ModelFiles;
import dev.jllm.io.Safetensors;
import dev.jllm.io.StateDict;
import dev.jllm.model.CausalLM;
import dev.jllm.model.GptConfig;
import dev.jllm.model.GptModel;
import dev.jllm.nn.LoRA;
import dev.jllm.tensor.Tensor;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import dev.jllm.train.Checkpoint;
import dev.jllm.train.RunFolder;
import dev.jllm.train.TrainProgress;
import dev.jllm.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jllm finetune instruct --lora-rank} at toy scale, on a model whose head is tied to the token embedding
 * (as GPT-2's is): only the adapters train, the run folder's model is the merged one, and a resumed run re-attaches
 * the adapters and ends where an uninterrupted one does.
 */
class FinetuneInstructLoRATest {

    @TempDir
    static Path dir;
    static Path model;
    static Path data;

    @BeforeAll
    static void setUp() throws Exception {
        data = FinetuneDpoCommandTest.firstEntries("instruction-data.json", 24, dir);
        Path untied = FinetuneDpoCommandTest.sftModel(dir, data);
        GptCheckpoint c = ModelFiles.load(untied);
        GptConfig config = c.config().withTiedHead(true);
        model = dir.resolve("tied");
        ModelFiles.save(model, config, StateDict.of(GptModel.create(config, 1).stateDict()));
        Gpt2Tokenizer.load(untied).save(model);
    }

    @Test
    void trainsOnlyTheAdaptersAndSavesTheMergedModel() throws Exception {
        Path out = dir.resolve("lora");
        ModelCommandsTest.Run r = ModelCommandsTest.run("finetune", "instruct", "--model", model.toString(), "--data",
                data.toString(), "--batch", "4", "--lr", "1e-2", "--epochs", "2", "--response-tokens", "8",
                "--lora-rank", "4", "--out", out.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();

        List<String> metrics = Files.readAllLines(out.resolve(RunFolder.METRICS));
        String[] first = metrics.get(1).split(","), last = metrics.getLast().split(",");
        assertThat(Double.parseDouble(last[3])).isLessThan(Double.parseDouble(first[3]));
        assertThat(Double.parseDouble(last[4])).isLessThan(Double.parseDouble(first[4]));
        JsonNode training = new ObjectMapper().readTree(out.resolve("config.json").toFile()).get("training");
        assertThat(training.get("lora_rank").asInt()).isEqualTo(4);
        assertThat(training.get("lora_alpha").asDouble()).isEqualTo(4.0);

        // The checkpoint keeps the base unmerged: bit-identical to the start, the head a copy of the embedding.
        Path checkpointDir;
        try (var s = Files.list(out.resolve(RunFolder.CHECKPOINTS))) {
            checkpointDir = s.filter(p -> p.getFileName().toString().startsWith("step-")).findFirst().orElseThrow();
        }
        Checkpoint.Loaded checkpoint = Checkpoint.read(checkpointDir, new SplittableRandom(0));
        Map<String, Tensor> start = ModelFiles.load(model).weights().tensors();
        Map<String, Tensor> base = checkpoint.model().stateDict();
        start.forEach((name, t) -> assertThat(base.get(name).data()).as(name).isEqualTo(t.data()));
        assertThat(base.get("lm_head.weight").data()).isEqualTo(start.get("wte.weight").data());
        // AdamW saw the adapters only, and they moved.
        assertThat(checkpoint.optimizerTensors()).isNotEmpty();
        assertThat(checkpoint.optimizerTensors().keySet()).allMatch(n -> n.contains(".lora."));
        StateDict adapters = Safetensors.read(out.resolve(LoRA.FILE));
        assertThat(adapters.names()).isEqualTo(checkpoint.adapters().keySet());
        adapters.tensors().forEach((name, t) -> assertThat(t.data()).isEqualTo(checkpoint.adapters().get(name).data()));
        assertThat(adapters.tensors().entrySet()).anyMatch(e -> e.getKey().endsWith("out_head.lora.B")
                && e.getValue().data()[0] != 0);

        // The run folder's model (merged) computes what the base with its adapters computes.
        GptCheckpoint merged = ModelFiles.load(out);
        GptModel plain = GptModel.fromStateDict(merged.config(), merged.weights().tensors());
        CausalLM adapted = checkpoint.model().copy(new SplittableRandom(0));
        adapted.addLoRA(4, 4f, true, new SplittableRandom(0));
        LoRA.load(adapted, adapters.tensors(), "adapters");
        plain.eval();
        adapted.eval();
        int[] ids = {5, 17, 80, 3, 250, 42};
        float[] want = adapted.forward(ids, 1, ids.length).data(), got = plain.forward(ids, 1, ids.length).data();
        for (int i = 0; i < want.length; i++) assertThat(got[i]).isCloseTo(want[i], Offset.offset(1e-4f));
        float[] before = checkpoint.model().forward(ids, 1, ids.length).data();
        assertThat(got).isNotEqualTo(before);

        assertThat(ModelCommandsTest.run("finetune", "instruct", "--resume", out.toString(), "--lora-rank", "8").err())
                .contains("--resume takes the run's own");
        assertThat(ModelCommandsTest.run("finetune", "instruct", "--model", model.toString(), "--data", data.toString(),
                "--lora-alpha", "8").err()).contains("--lora-alpha needs --lora-rank");
    }

    @Test
    void aResumedRunEndsWithTheAdaptersOfAnUninterruptedOne() throws Exception {
        GptCheckpoint c = ModelFiles.load(model);
        GptModel start = GptModel.fromStateDict(c.config(), c.weights().tensors());
        Gpt2Tokenizer tokenizer = Gpt2Tokenizer.load(model);
        InstructSpec spec = new InstructSpec(model.toString(), data.toString(), "alpaca", false, 4, 4, 2f,
                InstructSpec.bookTraining(2, 1e-2, 4, 1024, 7, "Say hi."));
        Path whole = dir.resolve("whole"), split = dir.resolve("split");
        InstructionTuning.Report uninterrupted = InstructionTuning.start(start, tokenizer, spec, whole,
                TrainProgress.silent(), n -> {});

        InstructionTuning.Report stopped = InstructionTuning.start(start, tokenizer, spec, split, new TrainProgress() {
            Trainer trainer;

            @Override
            public void start(Trainer t) {
                trainer = t;
            }

            @Override
            public void step(long step, int epoch, double loss, double tokensPerSecond) {
                if (step == 3) trainer.requestStop();
            }
        }, n -> {});
        assertThat(stopped.result().outcome()).isEqualTo(Trainer.Outcome.INTERRUPTED);
        assertThat(stopped.result().steps()).isEqualTo(3);
        InstructionTuning.Report resumed = InstructionTuning.resume(split, TrainProgress.silent(), n -> {},
                m -> { throw new AssertionError("the run has a checkpoint"); });
        assertThat(resumed.result().steps()).isEqualTo(10);

        // Equal up to rounding (the kernels may round differently while the JIT warms up, see PretrainingTest);
        // adapters drawn afresh or AdamW's moments lost would move them by far more.
        assertThat(resumed.result().valLoss()).isCloseTo(uninterrupted.result().valLoss(), Offset.offset(2e-5));
        Map<String, Tensor> a = Safetensors.read(whole.resolve(LoRA.FILE)).tensors();
        Map<String, Tensor> b = Safetensors.read(split.resolve(LoRA.FILE)).tensors();
        assertThat(b.keySet()).isEqualTo(a.keySet());
        a.forEach((name, t) -> {
            float[] x = t.data(), y = b.get(name).data();
            for (int i = 0; i < x.length; i++) assertThat(y[i]).as(name).isCloseTo(x[i], Offset.offset(1e-5f));
        });
    }
}
