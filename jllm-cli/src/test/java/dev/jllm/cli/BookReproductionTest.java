package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.testing.SharedData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The book's chapter 5 run on the-verdict (124M sizes, context 256, batch 2, lr 4e-4, weight decay 0.1,
 * 10 epochs, stride 256): the training loss falls under 1.0 while the validation loss stays between 5.5 and 7.0,
 * the overfitting the book explains. About a quarter of an hour on two cores:
 * {@code ./mvnw test -Pslow -Dtest=BookReproductionTest}.
 */
@Tag("slow")
class BookReproductionTest {

    @TempDir
    Path tmp;

    @Test
    void theVerdictOverfitsAsInTheBook() throws Exception {
        Path verdict = SharedData.file("the-verdict.txt");
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        int code = cli.execute("pretrain", "--data", verdict.toString(), "--config", "gpt2-small", "--context", "256",
                "--stride", "256", "--batch", "2", "--lr", "4e-4", "--weight-decay", "0.1", "--epochs", "10",
                "--out", tmp.resolve("verdict").toString(), "--json");
        assertThat(code).isZero();
        JsonNode result = new ObjectMapper().readTree(out.toString());
        System.out.println("the-verdict, book settings: " + result);
        assertThat(result.get("train_loss").asDouble()).isLessThan(1.0);
        assertThat(result.get("val_loss").asDouble()).isBetween(5.5, 7.0);
    }
}
