package dev.jllm.cli;

import dev.jllm.SettingException;
import dev.jllm.mpi.Mpi;
import dev.jllm.mpi.MpiDataParallel;
import dev.jllm.train.ShutdownGate;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
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
            QuantizeCommand.class,
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
        if (Mpi.launched()) {
            // MPI first, so that an error on any rank, even while reading the options, ends every rank in order
            if (!MpiDataParallel.get().leader()) System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        }
        int code = MpiDataParallel.end(run(args));
        System.out.flush();
        System.err.flush();
        ShutdownGate.release(); // after Ctrl-C, the JVM halts as soon as this lets the trainer's hook return
        System.exit(code);
    }

    /** Runs the CLI and returns the exit code (used by tests). */
    public static int run(String... args) {
        CommandLine cli = commandLine();
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) { // not an Exception, so picocli lets it through
            cli.getErr().println("jllm: error: out of memory (" + e.getMessage() + "); raise -Xmx or choose smaller sizes");
            cli.getErr().flush();
            return 1;
        }
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(Main::handleError);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.registerConverter(Path.class, Main::path);
        return cli;
    }

    /** Every path option: an empty one (such as {@code --out ""}) would silently mean the current folder. */
    private static Path path(String value) {
        if (value.isEmpty()) throw new CommandLine.TypeConversionException("an empty path; give a file or folder name");
        return Path.of(value);
    }

    /** One line, no stack trace, unless --verbose was given anywhere on the line. */
    private static int handleError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        boolean verbose = false;
        for (CommandLine.ParseResult r = parsed.commandSpec().root() == null ? parsed : parsed; r != null;
                r = r.hasSubcommand() ? r.subcommand() : null) {
            if (r.hasMatchedOption("--verbose")) verbose = true;
        }
        if (verbose) e.printStackTrace(cmd.getErr());
        String message = describe(e);
        String line = message.lines().findFirst().orElse(message);
        if (MpiDataParallel.active() && line.contains("no such file")) {
            line += " (under mpirun every rank reads its files at the same path on its own machine)";
        }
        cmd.getErr().println("jllm: error: " + MpiDataParallel.errorPrefix() + line);
        return 1;
    }

    /**
     * One line for an error. The JDK's file errors often carry only a path ({@code FileAlreadyExistsException}) or
     * only a reason ("No space left on device", "Input length = 1"): both are said here.
     */
    static String describe(Throwable e) {
        String own = e.getMessage();
        if (e instanceof FileAlreadyExistsException f) {
            return f.getFile() + ": already exists" + (Files.isRegularFile(Path.of(f.getFile()))
                    ? " as a file (a folder is needed here)" : "");
        }
        if (e instanceof NoSuchFileException f) return f.getFile() + ": no such file or folder";
        if (e instanceof AccessDeniedException f) return f.getFile() + ": permission denied";
        if (e instanceof NotDirectoryException f) return f.getFile() + ": not a folder";
        if (e instanceof CharacterCodingException) return "the input is not valid UTF-8 text";
        if (e instanceof SettingException s) return SettingFlags.message(s);
        Throwable cause = e.getCause();
        if ((e instanceof UncheckedIOException || e instanceof java.io.IOException) && cause != null && cause != e) {
            String reason = describe(cause);
            if (own == null) return reason;
            return own.contains(reason) || reason.contains(own) ? (reason.length() > own.length() ? reason : own)
                    : own + ": " + reason;
        }
        return own != null ? own : e.getClass().getSimpleName();
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
