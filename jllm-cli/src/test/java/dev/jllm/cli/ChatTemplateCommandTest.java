package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.chat.ChatTemplate;
import dev.jllm.prompt.Conversation;
import dev.jllm.tokenizer.HfTokenizer;
import dev.jllm.tokenizer.SharedTokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jllm chat} on a model folder with a tokenizer.json and a chat template (Qwen3's files beside a tiny random
 * model of its vocabulary size): each turn is the template's rendering, encoded with its special tokens.
 */
class ChatTemplateCommandTest {

    static Path model(Path dir, String family) throws Exception {
        Path model = dir.resolve(family);
        HfTokenizer tok = SharedTokenizers.get(family);
        ModelCommandsTest.Run r = ModelCommandsTest.run("init", "--config", "custom", "--emb", "16", "--layers", "1",
                "--heads", "2", "--context", "256", "--vocab", Integer.toString(tok.vocabSize()), "--seed", "5",
                "--out", model.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
            Files.copy(SharedTokenizers.dir(family).resolve(f), model.resolve(f));
        }
        return model;
    }

    /** What generate prints for the template's ids, greedily. */
    static String greedy(Path model, int[] ids, int tokens) throws Exception {
        ModelCommandsTest.Run r = ModelCommandsTest.run("generate", "--model", model.toString(), "--prompt-ids",
                Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",")),
                "--max-tokens", Integer.toString(tokens), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        return r.json().get("text").asText();
    }

    @Test
    void chatsThroughTheModelsTemplate(@TempDir Path dir) throws Exception {
        Path model = model(dir, "qwen3");
        HfTokenizer tok = SharedTokenizers.get("qwen3");
        ModelCommandsTest.Run r = ChatCommandTest.chat("What is 2+2?\nAnd 3+3?\n", "--model", model.toString(),
                "--max-tokens", "4", "--no-thinking");
        assertThat(r.exit()).as(r.err()).isZero();

        Conversation c = new Conversation(ChatTemplate.load(model), false);
        String firstPrompt = c.prompt("What is 2+2?");
        assertThat(firstPrompt).isEqualTo("<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
        String first = greedy(model, tok.encodeWithSpecials(firstPrompt), 4);
        c.add("What is 2+2?", c.reply(first));
        String second = greedy(model, tok.encodeWithSpecials(c.prompt("And 3+3?")), 4);
        String nl = System.lineSeparator();
        assertThat(r.out()).isEqualTo(first + nl + second + nl);
    }

    @Test
    void thinkingIsDimmedOnATerminal() {
        ChatCommand.ThinkingDimmer dimmer = new ChatCommand.ThinkingDimmer(true);
        String shown = dimmer.apply("<think>\nhmm") + dimmer.apply("\n</think>\n\n4");
        assertThat(shown).isEqualTo("\u001b[2m<think>\nhmm\n</think>\u001b[0m\n\n4");
        assertThat(new ChatCommand.ThinkingDimmer(false).apply("<think>x</think>")).isEqualTo("<think>x</think>");
        ChatCommand.ThinkingDimmer open = new ChatCommand.ThinkingDimmer(true);
        assertThat(open.apply("<think>cut")).endsWith("cut");
        assertThat(open.end()).isEqualTo("\u001b[0m");
    }
}
