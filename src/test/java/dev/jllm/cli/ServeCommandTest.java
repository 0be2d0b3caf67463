package dev.jllm.cli;

import static dev.jllm.cli.ModelCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Option errors of {@code jllm serve} (serving itself is tested in dev.jllm.serve and by tools/e2e/run.sh). */
class ServeCommandTest {

    @Test
    void badOptionsAreOneLineErrors() {
        assertThat(run("serve", "--model", "x", "--format", "chatml").err())
                .contains("jllm: error: unknown prompt format 'chatml' (choose alpaca or phi3)");
        assertThat(run("serve", "--model", "x", "--max-concurrent", "0").err())
                .contains("jllm: error: --max-concurrent must be >= 1, got 0");
        assertThat(run("serve", "--model", "x", "--queue", "-1").err()).contains("--queue must be >= 0");
        assertThat(run("serve", "--model", "x", "--port", "70000").err()).contains("--port must be in 0..65535");
        assertThat(run("serve", "--model", "./no/such/folder").err())
                .contains("jllm: error: ./no/such/folder: no such file or folder");
    }

    @Test
    void theModelIdIsTheFolderName() {
        assertThat(ServeCommand.modelName(Path.of("runs/gpt2-124M"))).isEqualTo("gpt2-124M");
        assertThat(ServeCommand.modelName(Path.of("/tmp/m/model.safetensors"))).isEqualTo("model");
    }
}
