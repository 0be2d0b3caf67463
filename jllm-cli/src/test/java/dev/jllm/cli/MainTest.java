package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    @Test
    void versionNamesJllmAndJava() {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("--version")).isZero();
        assertThat(out.toString()).startsWith("jllm ").contains("Java 25");
    }

    @Test
    void unknownOptionIsAUsageErrorWithNonZeroExit() {
        CommandLine cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("--no-such-option")).isNotZero();
        assertThat(err.toString()).contains("--no-such-option");
    }
}
