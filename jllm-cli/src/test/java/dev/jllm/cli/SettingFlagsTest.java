package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.Setting;
import dev.jllm.SettingException;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SettingFlagsTest {

    @Test
    void everySettingIsAnOptionOfSomeCommand() {
        Set<String> options = new HashSet<>();
        collect(Main.commandLine(), options);
        for (Setting s : Setting.values()) assertThat(options).as(s.name()).contains(SettingFlags.of(s));
    }

    @Test
    void theLibrarySaysItsWordsAndTheCommandLineItsOptions() {
        SettingException e = new SettingException("use a smaller ", Setting.BATCH_SIZE, ", or ", Setting.RESUME,
                " runs/a");
        assertThat(e).hasMessage("use a smaller batch size, or a resume of runs/a");
        assertThat(Main.describe(e)).isEqualTo("use a smaller --batch, or --resume runs/a");
        assertThat(e.settings()).containsExactly(Setting.BATCH_SIZE, Setting.RESUME);
    }

    private static void collect(CommandLine command, Set<String> options) {
        command.getCommandSpec().options().forEach(o -> options.addAll(Set.of(o.names())));
        command.getSubcommands().values().forEach(sub -> collect(sub, options));
    }
}
