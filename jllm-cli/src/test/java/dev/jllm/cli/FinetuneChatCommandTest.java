package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.finetune.instruct.InstructionTuning;
import dev.jllm.prompt.InstructionJson;
import dev.jllm.prompt.ModelFormat;
import dev.jllm.prompt.ResponseExample;
import dev.jllm.tokenizer.HfTokenizer;
import dev.jllm.tokenizer.SharedTokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code finetune instruct --format chat} and {@code finetune dpo --format chat} end to end on tiny random Qwen3 and
 * Gemma 3 models holding the real tokenizer files and chat templates (../shared/data/tokenizers; skipped without).
 */
class FinetuneChatCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A 1-layer random model of the family's architecture and vocabulary size, with its tokenizer files. */
    static Path model(Path dir, String family, String preset) throws Exception {
        Path model = dir.resolve(family);
        HfTokenizer tok = SharedTokenizers.get(family);
        ModelCommandsTest.Run r = ModelCommandsTest.run("init", "--config", preset, "--emb", "32", "--layers", "1",
                "--heads", "2", "--kv-heads", "1", "--head-dim", "16", "--intermediate", "64",
                "--vocab", Integer.toString(tok.vocabSize()), "--context", "256", "--dtype", "fp32", "--seed", "5",
                "--out", model.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
            Files.copy(SharedTokenizers.dir(family).resolve(f), model.resolve(f));
        }
        return model;
    }

    /** 20 entries: the book's form and conversations of two turns, alternately. */
    static Path conversations(Path dir) throws Exception {
        ArrayNode list = JSON.createArrayNode();
        for (int i = 0; i < 20; i++) {
            if (i % 2 == 0) {
                list.addObject().put("instruction", "Add one to the number.").put("input", Integer.toString(i))
                        .put("output", "The answer is " + (i + 1) + ".");
            } else {
                ArrayNode messages = list.addObject().putArray("messages");
                messages.addObject().put("role", "system").put("content", "You count.");
                messages.addObject().put("role", "user").put("content", "Count to " + i + ".");
                messages.addObject().put("role", "assistant").put("content", "Counting to " + i + ".");
                messages.addObject().put("role", "user").put("content", "Again.");
                messages.addObject().put("role", "assistant").put("content", "Counting to " + i + " again.");
            }
        }
        Path file = dir.resolve("conversations.json");
        JSON.writeValue(file.toFile(), list);
        return file;
    }

    static double[] column(Path run, int column) throws Exception {
        List<String> rows = Files.readAllLines(run.resolve("metrics.csv"));
        return new double[] {Double.parseDouble(rows.get(1).split(",")[column]), Double.parseDouble(rows.getLast().split(",")[column])};
    }

    @Test
    void instructThenDpoInTheQwen3Template(@TempDir Path dir) throws Exception {
        Path model = model(dir, "qwen3", "qwen3-0.6b"), data = conversations(dir), out = dir.resolve("sft");
        ModelCommandsTest.Run r = ModelCommandsTest.run("finetune", "instruct", "--model", model.toString(), "--data",
                data.toString(), "--format", "chat", "--epochs", "2", "--batch", "4", "--lr", "3e-3",
                "--response-tokens", "6", "--out", out.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        double[] train = column(out, 3), val = column(out, 4);
        assertThat(train[1]).as("train loss").isLessThan(train[0]);
        assertThat(val[1]).as("validation loss").isLessThan(val[0]);
        // a model folder in the same template: the tokenizer files copied, the format recorded
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
            assertThat(Files.readAllBytes(out.resolve(f))).as(f).isEqualTo(Files.readAllBytes(model.resolve(f)));
        }
        assertThat(ModelFormat.isChat(out)).isTrue();
        assertThat(ModelFormat.read(out)).isEmpty();
        // the test split (entries 17 and 18), answered through the template
        List<ResponseExample> answered = InstructionJson.readResponses(out.resolve(InstructionTuning.RESPONSES));
        assertThat(answered).hasSize(2);
        assertThat(answered.get(0).instruction()).isEqualTo("Again.");
        assertThat(answered.get(0).output()).isEqualTo("Counting to 17 again.");
        assertThat(answered.get(1).instruction()).isEqualTo("Add one to the number.\n\n18");
        assertThat(answered.get(1).output()).isEqualTo("The answer is 19.");
        assertThat(answered).allSatisfy(a -> assertThat(a.modelResponse()).doesNotContain("<|im_end|>", "<think>"));
        // --resume reads the tokenizer and the template from the run folder: a finished run answers the same again
        ModelCommandsTest.Run resumed = ModelCommandsTest.run("finetune", "instruct", "--resume", out.toString(), "--json");
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        assertThat(InstructionJson.readResponses(out.resolve(InstructionTuning.RESPONSES))).isEqualTo(answered);

        // DPO from the run: the chat format is read from it
        ArrayNode pairs = JSON.createArrayNode();
        for (int i = 0; i < 20; i++) {
            ObjectNode p = pairs.addObject();
            p.put("prompt", "Add one to " + i + ".").put("chosen", "It is " + (i + 1) + ".").put("rejected", "No idea.");
        }
        Path pairFile = dir.resolve("pairs.json");
        JSON.writeValue(pairFile.toFile(), pairs);
        Path dpo = dir.resolve("dpo");
        r = ModelCommandsTest.run("finetune", "dpo", "--model", out.toString(), "--data", pairFile.toString(),
                "--batch", "4", "--epochs", "2", "--lr", "3e-3", "--eval-every", "4", "--eval-batches", "1",
                "--out", dpo.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("(chat format)");
        double[] dpoTrain = column(dpo, 3);
        assertThat(dpoTrain[0]).isCloseTo(Math.log(2), org.assertj.core.data.Offset.offset(1e-4));
        assertThat(dpoTrain[1]).as("DPO train loss").isLessThan(dpoTrain[0]);
        assertThat(ModelFormat.isChat(dpo)).isTrue();
        assertThat(dpo.resolve("tokenizer_config.json")).isRegularFile();
    }

    @Test
    void badInputIsOneLine(@TempDir Path dir) throws Exception {
        // a GPT-2 model folder has no chat template
        Path gpt2 = dir.resolve("gpt2");
        assertThat(ModelCommandsTest.run("init", "--config", "custom", "--emb", "16", "--layers", "1", "--heads", "2",
                "--context", "64", "--out", gpt2.toString()).exit()).isZero();
        Path book = dir.resolve("book.json");
        Files.writeString(book, "[{\"instruction\": \"a\", \"output\": \"b\"}]");
        ModelCommandsTest.Run r = ModelCommandsTest.run("finetune", "instruct", "--model", gpt2.toString(), "--data",
                book.toString(), "--format", "chat", "--out", dir.resolve("o").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("jllm: error: " + gpt2 + ": the model has no chat template (its tokenizer is GPT-2's"
                + " vocabulary, not a tokenizer.json beside a tokenizer_config.json with chat_template); --format chat needs"
                + " one: use --format alpaca or phi3" + System.lineSeparator());
        r = ModelCommandsTest.run("finetune", "dpo", "--model", gpt2.toString(), "--data", book.toString(), "--format",
                "chat", "--out", dir.resolve("o").toString());
        assertThat(r.err()).startsWith("jllm: error: " + gpt2 + ": the model has no chat template").hasLineCount(1);

        // a malformed messages file, and a conversation Gemma's template refuses, named by its entry
        Path gemma = model(dir, "gemma3", "gemma3-270m");
        Path malformed = dir.resolve("malformed.json");
        Files.writeString(malformed, "[{\"messages\": [{\"role\": \"user\"}]}]");
        r = ModelCommandsTest.run("finetune", "instruct", "--model", gemma.toString(), "--data", malformed.toString(),
                "--format", "chat", "--out", dir.resolve("o").toString());
        assertThat(r.err()).isEqualTo("jllm: error: " + malformed + ": entry 0: \"messages\": message 1 (user) has no"
                + " \"content\" string or list" + System.lineSeparator());
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String twice = i == 3 ? "{\"role\": \"user\", \"content\": \"q2\"}, " : "";
            lines.add("{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}, " + twice
                    + "{\"role\": \"assistant\", \"content\": \"a\"}]}");
        }
        Path refused = dir.resolve("refused.jsonl");
        Files.write(refused, lines);
        r = ModelCommandsTest.run("finetune", "instruct", "--model", gemma.toString(), "--data", refused.toString(),
                "--format", "chat", "--out", dir.resolve("o").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("jllm: error: " + refused + ": entry 3: chat template: Conversation roles must"
                + " alternate user/assistant/user/assistant/..." + System.lineSeparator());
    }
}
