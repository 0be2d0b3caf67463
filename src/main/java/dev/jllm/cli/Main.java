package dev.jllm.cli;

import dev.jllm.train.ShutdownGate;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code jllm} command line: one subcommand per task.
 *
 * <p>Errors end as a single line on stderr and a non-zero exit code; {@code --verbose} adds the stack trace.
 */
@Command(
        name = "jllm",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Large language models from scratch, in pure Java.",
        subcommands = {
            CommandLine.HelpCommand.class,
            PretrainCommand.class,
            DownloadCommand.class,
            DataCommand.class,
            TokenizeCommand.class,
            BpeCommand.class,
            EvaluateCommand.class,
            GenerateCommand.class,
            ChatCommand.class,
            PerplexityCommand.class,
            InfoCommand.class,
            InitCommand.class,
            ServeCommand.class,
            BenchCommand.class,
            FinetuneCommand.class,
            ClassifyCommand.class,
        })
public final class Main implements Runnable {

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces on errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        ShutdownGate.hold();
        int code = run(args);
        System.out.flush();
        System.err.flush();
        ShutdownGate.release(); // after Ctrl-C, the JVM halts as soon as this lets the trainer's hook return
        System.exit(code);
    }

    /** Runs the CLI and returns the exit code (used by tests). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(Main::handleError);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        return cli;
    }

    /** One line, no stack trace, unless --verbose was given anywhere on the line. */
    private static int handleError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        boolean verbose = false;
        for (CommandLine.ParseResult r = parsed.commandSpec().root() == null ? parsed : parsed; r != null;
                r = r.hasSubcommand() ? r.subcommand() : null) {
            if (r.hasMatchedOption("--verbose")) verbose = true;
        }
        if (verbose) e.printStackTrace(cmd.getErr());
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        cmd.getErr().println("jllm: error: " + message.lines().findFirst().orElse(message));
        return 1;
    }

    /** The version from the jar manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"jllm " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
