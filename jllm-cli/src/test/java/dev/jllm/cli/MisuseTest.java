package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.cli.ModelCommandsTest.Run;
import dev.jllm.finetune.classify.ClassificationData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The misuses of issue 19 ("Crashes and messages"), each answered by one line that says what is wrong, before any
 * long work, instead of a stack trace, a misleading message or a silent surprise.
 */
class MisuseTest {

    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void tinyModel() {
        model = tmp.resolve("model");
        Run init = ModelCommandsTest.run("init", "--config", "custom", "--emb", "16", "--layers", "1", "--heads", "2",
                "--context", "32", "--out", model.toString());
        assertThat(init.exit()).as(init.err()).isZero();
    }

    private static void assertError(Run r, String message) {
        assertThat(r.exit()).as(r.out()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("jllm: error: " + message + System.lineSeparator());
    }

    @Test
    void everyCommandTheReadmeListsHasHelp() {
        for (String command : List.of("generate", "chat", "perplexity", "info", "init", "serve")) {
            Run r = ModelCommandsTest.run(command, "--help");
            assertThat(r.exit()).as(command + ": " + r.err()).isZero();
            assertThat(r.out()).as(command).startsWith("Usage: jllm " + command);
        }
    }

    @Test
    void impossibleSizesSayWhichSizeAndWhy() {
        assertError(ModelCommandsTest.run("init", "--config", "custom", "--emb", "0", "--layers", "1", "--heads", "1",
                "--out", tmp.resolve("zero").toString()),
                "model sizes must be positive: vocabulary 50257, context 1024, emb 0, heads 1, layers 1");
        assertError(ModelCommandsTest.run("init", "--context", "1000000000", "--out", tmp.resolve("huge").toString()),
                "the position embedding (context x emb) would hold 1,000,000,000 x 768 = 768,000,000,000 values, more"
                        + " than one Java array can (2,147,483,647); choose smaller sizes");
        Run big = ModelCommandsTest.run("init", "--config", "custom", "--emb", "16384", "--layers", "200", "--heads", "16",
                "--out", tmp.resolve("big").toString());
        assertThat(big.exit()).isEqualTo(1);
        assertThat(big.err()).startsWith("jllm: error: a model of 645,").contains("more than the").contains("-Xmx");
        assertThat(tmp.resolve("big")).doesNotExist();
    }

    @Test
    void anEmptyPathIsRefusedRatherThanTakenForTheCurrentFolder() {
        Run r = ModelCommandsTest.run("init", "--config", "custom", "--emb", "16", "--layers", "1", "--heads", "2",
                "--out", "");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("an empty path; give a file or folder name");
    }

    @Test
    void aFileWhereARunFolderBelongsIsNamedAsSuch() throws IOException {
        Path text = tmp.resolve("text.txt");
        Files.writeString(text, "Once upon a time there was a tiny model. ".repeat(50));
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "not a folder");
        assertError(ModelCommandsTest.run("pretrain", "--data", text.toString(), "--emb", "16", "--layers", "1",
                        "--heads", "2", "--context", "16", "--out", file.toString()),
                file + " is a file, not a folder; choose another --out");
    }

    @Test
    void initWithSizeOptionsIsRefusedInsteadOfIgnoringThem() throws IOException {
        Path text = tmp.resolve("text2.txt");
        Files.writeString(text, "Once upon a time. ".repeat(50));
        Run r = ModelCommandsTest.run("pretrain", "--data", text.toString(), "--init", model.toString(), "--emb", "64",
                "--out", tmp.resolve("init-emb").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--init continues a model with its own sizes; it takes no --config, --emb,"
                + " --layers or --heads");
    }

    @Test
    void anEmptyStopTextIsRefused() {
        Run r = ModelCommandsTest.run("generate", "--model", model.toString(), "--prompt", "Hi", "--stop", "");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--stop needs a text to stop at, not ''");
    }

    @Test
    void aHostThatIsNoAddressOfThisMachineIsNotAPortInUse() {
        assertError(ModelCommandsTest.run("serve", "--model", model.toString(), "--host", "999.1.1.1", "--port", "0"),
                "--host 999.1.1.1: not an address or a known host name");
    }

    @Test
    void textThatIsNotUtf8NamesTheFileAndTheByte() throws IOException {
        Path latin1 = tmp.resolve("latin1.txt");
        Files.write(latin1, "caf\u00e9 au lait".getBytes(StandardCharsets.ISO_8859_1));
        assertError(ModelCommandsTest.run("perplexity", "--model", model.toString(), "--file", latin1.toString()),
                latin1 + ": not valid UTF-8 (bad byte 0xE9 at offset 3)");
    }

    @Test
    void aByteOrderMarkDoesNotEatTheFirstExampleOfATable() throws IOException {
        Path tsv = tmp.resolve("bom.tsv");
        Files.writeString(tsv, "\uFEFFspam\tWIN a prize\nham\tsee you\nspam\tfree cash\nham\tok\n");
        ClassificationData data = ClassificationData.read(tsv, null, null, null);
        assertThat(data.examples()).hasSize(4);
        assertThat(data.labels()).containsExactlyInAnyOrder("spam", "ham");
    }

    @Test
    void aLoraRankBeyondTheModelsWidthIsRefusedBeforeAnyWork() throws IOException {
        Path tsv = tmp.resolve("messages.tsv");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 20; i++) lines.add((i % 2 == 0 ? "spam\tWIN cash " : "ham\tsee you ") + i);
        Files.write(tsv, lines);
        long t0 = System.nanoTime();
        assertError(ModelCommandsTest.run("finetune", "classify", "--model", model.toString(), "--data", tsv.toString(),
                        "--trainable", "lora", "--lora-rank", "100000", "--out", tmp.resolve("lora").toString()),
                "--lora-rank 100000 is outside 1..16: the adapters' update of a weight with 16 rows has rank at most 16"
                        + " (the model's width)");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(30);
    }

    @Test
    void dpoSkipsPairsWhosePromptFillsTheContextAndSaysHowMany() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ArrayNode pairs = json.createArrayNode();
        for (int i = 0; i < 24; i++) {
            ObjectNode p = pairs.addObject();
            boolean longPrompt = i % 6 == 5;
            p.put("instruction", longPrompt ? "Rewrite this very long text please. ".repeat(40) : "Say hello " + i);
            p.put("input", "");
            p.put("output", "Hello " + i);
            p.put("chosen", "Hello there " + i);
            p.put("rejected", "Go away " + i);
        }
        Path data = tmp.resolve("preferences.json");
        json.writeValue(data.toFile(), pairs);
        Path sft = FinetuneDpoCommandTest.sftModel(tmp.resolve("dpo-model"), data);
        Run r = ModelCommandsTest.run("finetune", "dpo", "--model", sft.toString(), "--data", data.toString(),
                "--max-length", "160", "--batch", "2", "--eval-every", "4", "--eval-batches", "1",
                "--out", tmp.resolve("dpo").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("skipped [1-9]\\d* of 22 preference pairs whose prompt leaves no response"
                + " token within 160 tokens");
    }
}
