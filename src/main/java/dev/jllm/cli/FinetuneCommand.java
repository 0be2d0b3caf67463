package dev.jllm.cli;

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
}
