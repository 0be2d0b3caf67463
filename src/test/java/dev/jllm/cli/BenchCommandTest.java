package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The bench parent command and the option checks of bench matmul (the measurement itself is not a test). */
class BenchCommandTest {

    @Test
    void benchListsItsSubcommands() {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("bench")).isZero();
        assertThat(out.toString()).contains("matmul");
    }

    @Test
    void cpuTimeNeedsOneThread() {
        CommandLine cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("bench", "matmul", "--cpu-time", "--threads", "2")).isNotZero();
        assertThat(err.toString()).contains("--cpu-time needs --threads 1");
    }
}
