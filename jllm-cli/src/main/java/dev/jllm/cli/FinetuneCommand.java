package dev.jllm.cli;

import dev.jllm.arch.LoadedModel;
import dev.jllm.prompt.ChatFormat;
import dev.jllm.tokenizer.Tokenizer;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code jllm finetune}: the finetuning tasks, one subcommand each. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Finetune a pretrained GPT for a task.",
        subcommands = {
            FinetuneClassifyCommand.class,
            FinetuneInstructCommand.class,
            FinetuneDpoCommand.class,
        })
final class FinetuneCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "choose a task: "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** The model's chat template for {@code --format chat}; one line naming the model when it has none. */
    static ChatFormat chatFormat(LoadedModel loaded, Tokenizer tokenizer) {
        try {
            return ChatFormat.of(tokenizer);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(loaded.path() + ": " + e.getMessage()
                    + "; --format chat needs one: use --format alpaca or phi3");
        }
    }
}
