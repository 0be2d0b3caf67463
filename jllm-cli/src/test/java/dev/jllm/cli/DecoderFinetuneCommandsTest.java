package dev.jllm.cli;

import static dev.jllm.cli.ModelCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jllm.io.Dtype;
import dev.jllm.io.SafetensorsFile;
import dev.jllm.nn.LoRA;
import dev.jllm.testing.SharedData;
import dev.jllm.tokenizer.SharedTokenizers;
import dev.jllm.train.RunFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * finetune classify, instruct and dpo on a Qwen3-shaped bf16 folder (as published: BF16 tensors, Qwen3's real
 * tokenizer.json) with LoRA over the frozen bf16 base: the runs finish with their --json objects, the loss falls,
 * and the checkpoints keep the base as BF16 bytes equal to the start's.
 */
class DecoderFinetuneCommandsTest {

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void setUp() throws Exception {
        Path tokenizer = SharedTokenizers.dir("qwen3");
        model = dir.resolve("qwen3-tiny");
        ModelCommandsTest.Run init = run("init", "--config", "qwen3-0.6b", "--emb", "32", "--layers", "2", "--heads", "4",
                "--kv-heads", "2", "--head-dim", "8", "--intermediate", "64", "--vocab", "151936", "--context", "128",
                "--out", model.toString());
        assertThat(init.exit()).as(init.err()).isZero();
        for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
            Files.copy(tokenizer.resolve(f), model.resolve(f));
        }
    }

    /** The checkpoint folder of a run. */
    static Path checkpoint(Path run) throws Exception {
        try (Stream<Path> s = Files.list(run.resolve(RunFolder.CHECKPOINTS))) {
            return s.filter(p -> p.getFileName().toString().startsWith("step-")).findFirst().orElseThrow();
        }
    }

    /** Every tensor of the start model is in {@code file} as the same BF16 bytes. */
    static void assertBaseKeptAsBf16(Path file) throws Exception {
        try (SafetensorsFile start = SafetensorsFile.open(model.resolve("model.safetensors"));
             SafetensorsFile saved = SafetensorsFile.open(file)) {
            for (String name : start.names()) {
                if (start.entries().get(name).shape().length != 2) continue;
                assertThat(saved.entries().get(name).dtype()).as(name).isEqualTo(Dtype.BF16);
                assertThat(saved.bytes(name).mismatch(start.bytes(name))).as(name).isEqualTo(-1L);
            }
        }
    }

    static double column(List<String> metrics, int row, int col) {
        return Double.parseDouble(metrics.get(row).split(",")[col]);
    }

    @Test
    void instructLoRATrainsOverTheFrozenBf16Base() throws Exception {
        Path data = FinetuneDpoCommandTest.firstEntries("instruction-data.json", 16, dir);
        Path out = dir.resolve("instruct");
        ModelCommandsTest.Run r = run("finetune", "instruct", "--model", model.toString(), "--data", data.toString(),
                "--batch", "4", "--lr", "1e-2", "--epochs", "2", "--response-tokens", "2", "--max-length", "64",
                "--lora-rank", "4", "--out", out.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.json().fieldNames()).toIterable().contains("run_dir", "train_loss", "val_loss", "responses", "seconds");
        List<String> metrics = Files.readAllLines(out.resolve(RunFolder.METRICS));
        assertThat(column(metrics, metrics.size() - 1, 3)).isLessThan(column(metrics, 1, 3));
        Path cp = checkpoint(out);
        assertBaseKeptAsBf16(cp.resolve("model.safetensors"));
        assertThat(cp.resolve(LoRA.FILE)).isRegularFile();
    }

    @Test
    void dpoLoRATrainsOverTheFrozenBf16Base() throws Exception {
        Path data = FinetuneDpoCommandTest.firstEntries("instruction-data-with-preference.json", 12, dir);
        Path out = dir.resolve("dpo");
        ModelCommandsTest.Run r = run("finetune", "dpo", "--model", model.toString(), "--data", data.toString(),
                "--batch", "4", "--lr", "1e-2", "--epochs", "1", "--max-length", "64", "--eval-every", "2",
                "--eval-batches", "1", "--lora-rank", "4", "--out", out.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = r.json();
        assertThat(j.fieldNames()).toIterable()
                .contains("run_dir", "train_loss", "val_loss", "val_reward_margin", "val_reward_accuracy", "seconds");
        assertThat(j.get("train_loss").asDouble()).isFinite();
        assertBaseKeptAsBf16(checkpoint(out).resolve("model.safetensors"));
    }

    @Test
    void classifyLoRAAndHeadTrainOverTheFrozenBf16Base() throws Exception {
        List<String> lines = Files.readAllLines(SharedData.file("sms_spam_collection.tsv"));
        Path data = Files.write(dir.resolve("spam.tsv"), lines.subList(0, 400));
        for (String trainable : new String[] {"lora", "head"}) {
            Path out = dir.resolve("classify-" + trainable);
            ModelCommandsTest.Run r = run("finetune", "classify", "--model", model.toString(), "--data", data.toString(),
                    "--trainable", trainable, "--lr", "5e-3", "--epochs", "2", "--max-length", "32", "--eval-every", "20",
                    "--eval-batches", "2", "--out", out.toString(), "--json");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.json().fieldNames()).toIterable().contains("run_dir", "train_accuracy", "val_accuracy",
                    "test_accuracy", "trainable_parameters", "seconds");
            assertThat(out.resolve("tokenizer.json")).isRegularFile();
            ModelCommandsTest.Run c = run("classify", "--model", out.toString(), "Free entry to win cash now", "--json");
            assertThat(c.exit()).as(c.err()).isZero();
        }
    }
}
