package dev.jllm.cli;

import dev.jllm.mpi.Mpi;
import dev.jllm.mpi.MpiDataParallel;
import java.io.OutputStream;
import java.io.PrintStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code jllm} command line: one subcommand per task.
 *
 * <p>Errors end as a single line on stderr and a non-zero exit code; {@code --verbose} adds the stack trace.
 *
 * <p>Started by {@code mpirun}, each process is one rank of a data-parallel run: only rank 0 prints to standard
 * output, an error line names the rank, and an error on any rank ends every rank ({@link MpiDataParallel#end}).
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
        if (Mpi.launched()) {
            // MPI first, so that an error on any rank, even while reading the options, ends every rank in order
            if (!MpiDataParallel.get().leader()) System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        }
        System.exit(MpiDataParallel.end(run(args)));
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
        String line = message.lines().findFirst().orElse(message);
        if (MpiDataParallel.active() && line.contains("no such file")) {
            line += " (under mpirun every rank reads its files at the same path on its own machine)";
        }
        cmd.getErr().println("jllm: error: " + MpiDataParallel.errorPrefix() + line);
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
