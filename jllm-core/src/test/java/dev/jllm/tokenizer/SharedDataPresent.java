package dev.jllm.tokenizer;

import java.nio.file.Files;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/** Skips a jqwik property or container when ../shared/data/tokenizers is absent. */
public final class SharedDataPresent implements SkipExecutionHook {
    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
        return Files.isDirectory(SharedTokenizers.DIR) ? SkipResult.doNotSkip()
                : SkipResult.skip("skipped: " + SharedTokenizers.DIR + " is absent (the shared data folder is not beside the repository)");
    }
}
