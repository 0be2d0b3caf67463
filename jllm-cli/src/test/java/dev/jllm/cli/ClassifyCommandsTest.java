package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.cli.ModelCommandsTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** finetune classify and classify end to end on a tiny model and a small made-up table; their bad-input errors. */
class ClassifyCommandsTest {

    @TempDir
    static Path tmp;
    static Path model;
    static Path data;

    @BeforeAll
    static void tinyModelAndTable() throws Exception {
        model = tmp.resolve("model");
        Run init = ModelCommandsTest.run("init", "--config", "custom", "--emb", "16", "--layers", "1", "--heads", "2",
                "--context", "32", "--out", model.toString());
        assertThat(init.exit()).as(init.err()).isZero();
        List<String> lines = new ArrayList<>();
        String[] spam = {"WIN a free cash prize now", "URGENT you have won a prize call now", "Free entry to win cash"};
        String[] ham = {"see you at lunch tomorrow", "ok i will call you later", "are we still on for dinner"};
        for (int i = 0; i < 20; i++) {
            lines.add("spam\t" + spam[i % 3] + " " + i);
            lines.add("ham\t" + ham[i % 3] + " " + i);
        }
        data = tmp.resolve("messages.tsv");
        Files.write(data, lines);
    }

    @Test
    void finetunePrintsItsJsonSummaryAndClassifyUsesTheRunFolder() throws Exception {
        Path run = tmp.resolve("run");
        Run r = ModelCommandsTest.run("finetune", "classify", "--model", model.toString(), "--data", data.toString(),
                "--trainable", "all", "--epochs", "2", "--batch", "4", "--lr", "3e-3", "--eval-every", "5",
                "--out", run.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("run_dir").asText()).isEqualTo(run.toString());
        for (String key : List.of("train_accuracy", "val_accuracy", "test_accuracy")) {
            assertThat(j.get(key).asDouble()).as(key).isBetween(0.0, 1.0);
        }
        assertThat(j.get("trainable_parameters").asLong()).isGreaterThan(50257L * 16);
        assertThat(j.get("seconds").asDouble()).isPositive();
        for (String f : List.of("config.json", "model.safetensors", "vocab.json", "merges.txt", "classifier.json",
                "classifier.safetensors", "metrics.csv", "loss.png", "accuracy.png")) {
            assertThat(run.resolve(f)).as(f).isRegularFile();
        }
        assertThat(Files.readAllLines(run.resolve("metrics.csv")).getFirst())
                .isEqualTo("step,epoch,examples_seen,train_loss,val_loss,train_accuracy,val_accuracy");

        Run one = ModelCommandsTest.run("classify", "--model", run.toString(), "--json", "WIN a free cash prize");
        assertThat(one.exit()).as(one.err()).isZero();
        JsonNode c = one.json();
        assertThat(c.get("label").asText()).isIn("spam", "ham");
        assertThat(c.get("probability").asDouble()).isBetween(0.5, 1.0);

        Path texts = tmp.resolve("texts.txt");
        Files.write(texts, List.of("WIN a free cash prize", "", "see you at lunch"));
        Run file = ModelCommandsTest.run("classify", "--model", run.toString(), "--file", texts.toString(), "--json");
        assertThat(file.exit()).as(file.err()).isZero();
        List<String> out = file.out().lines().toList();
        assertThat(out).hasSize(2);
        for (String line : out) assertThat(new ObjectMapper().readTree(line).has("probability")).isTrue();
    }

    @Test
    void badInputIsAOneLineError() throws Exception {
        Path noTab = tmp.resolve("no-tab.tsv");
        Files.write(noTab, List.of("ham\thello there", "spam free prize", "ham\tok"));
        Path oneClass = tmp.resolve("one-class.tsv");
        Files.write(oneClass, List.of("ham\thello there", "ham\tok then"));
        Path empty = tmp.resolve("empty.tsv");
        Files.writeString(empty, "");
        assertError("no-tab.tsv:2: no tab in the line", "--data", noTab.toString());
        assertError("classification needs at least two classes", "--data", oneClass.toString());
        assertError("empty file", "--data", empty.toString());
        assertError("unknown label 'spam' (expected one of ham, junk)", "--data", data.toString(), "--labels", "ham,junk");
        assertError("--max-length 64 exceeds the model's context length 32", "--data", data.toString(),
                "--max-length", "64");
        assertError("--lora-rank and --lora-alpha need --trainable lora", "--data", data.toString(),
                "--trainable", "head", "--lora-rank", "4");
        assertError("unknown --trainable 'middle'", "--data", data.toString(), "--trainable", "middle");

        Run classify = ModelCommandsTest.run("classify", "--model", model.toString(), "hello");
        assertThat(classify.exit()).isEqualTo(1);
        assertThat(classify.err()).contains("is not a classifier (no classifier.json");
    }

    private static void assertError(String message, String... args) {
        List<String> all = new ArrayList<>(List.of("finetune", "classify", "--model", model.toString(),
                "--out", tmp.resolve("never").toString()));
        all.addAll(List.of(args));
        Run r = ModelCommandsTest.run(all.toArray(String[]::new));
        assertThat(r.exit()).as(r.out()).isEqualTo(1);
        assertThat(r.err()).startsWith("jllm: error: ").contains(message);
        assertThat(r.err().lines().count()).isEqualTo(1);
    }
}
