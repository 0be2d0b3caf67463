package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.prompt.Conversation;
import dev.jllm.prompt.PromptFormat;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jllm chat} with piped input on a tiny random model with GPT-2's tokenizer. */
class ChatCommandTest {

    @TempDir
    static Path dir;
    static Path plain;
    static Path instruct;

    @BeforeAll
    static void models() throws Exception {
        plain = dir.resolve("plain");
        instruct = dir.resolve("instruct");
        for (Path p : new Path[] {plain, instruct}) {
            ModelCommandsTest.Run r = ModelCommandsTest.run("init", "--config", "custom", "--emb", "16", "--layers", "1",
                    "--heads", "2", "--context", "256", "--seed", "3", "--out", p.toString());
            assertThat(r.exit()).as(r.err()).isZero();
        }
        // What finetune instruct records: the format under "training" in config.json.
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(instruct.resolve("config.json").toFile());
        config.putObject("training").put("format", "alpaca");
        json.writeValue(instruct.resolve("config.json").toFile(), config);
    }

    static ModelCommandsTest.Run chat(String input, String... args) {
        CommandLine cli = Main.commandLine();
        ((ChatCommand) cli.getSubcommands().get("chat").getCommand()).input =
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8));
        StringWriter out = new StringWriter(), err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 1];
        all[0] = "chat";
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = cli.execute(all);
        return new ModelCommandsTest.Run(exit, out.toString(), err.toString());
    }

    /** The greedy continuation that generate prints for {@code prompt}. */
    static String greedy(Path model, String prompt, int tokens) throws Exception {
        ModelCommandsTest.Run r = ModelCommandsTest.run("generate", "--model", model.toString(), "--prompt", prompt,
                "--max-tokens", Integer.toString(tokens), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        return r.json().get("text").asText();
    }

    @Test
    void repliesToEachLineInTheModelsFormatAndKeepsTheConversation() throws Exception {
        ModelCommandsTest.Run r = chat("What is 2+2?\n\nName a colour.\n/exit\nnever read\n",
                "--model", instruct.toString(), "--max-tokens", "6");
        assertThat(r.exit()).as(r.err()).isZero();
        String[] lines = r.out().split("\\R", -1);

        Conversation c = new Conversation(PromptFormat.ALPACA);
        String first = greedy(instruct, c.prompt("What is 2+2?"), 6);
        c.add("What is 2+2?", c.reply(first));
        String second = greedy(instruct, c.prompt("Name a colour."), 6);
        assertThat(r.out()).isEqualTo(first + System.lineSeparator() + second + System.lineSeparator());
        assertThat(lines).hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void plainModelContinuesTheText() throws Exception {
        ModelCommandsTest.Run r = chat("Every effort moves you\n", "--model", plain.toString(), "--max-tokens", "5");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(greedy(plain, "Every effort moves you", 5) + System.lineSeparator());
    }

    @Test
    void commandsResetTheConversationAndChangeTheTemperature() throws Exception {
        ModelCommandsTest.Run r = chat("Hello\n/reset\nHello\n/temperature 0.5\n/temperature warm\n/bogus\n",
                "--model", instruct.toString(), "--max-tokens", "4");
        assertThat(r.exit()).as(r.err()).isZero();
        String reply = greedy(instruct, new Conversation(PromptFormat.ALPACA).prompt("Hello"), 4);
        String nl = System.lineSeparator();
        // after /reset the same message gets the same reply as the first time
        assertThat(r.out()).isEqualTo(reply + nl + "(conversation cleared)" + nl + reply + nl + "(temperature 0.5)" + nl);
        assertThat(r.err()).contains("'warm' is not a number").contains("unknown command /bogus");
    }

    @Test
    void aModelWithoutTokenizerIsAClearError() {
        ModelCommandsTest.Run r = chat("hi\n", "--model", ModelCommandsTest.golden());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("jllm: error:").contains("no tokenizer files");
    }
}
