package dev.jllm.mpi;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts a Java main class on several ranks with Open MPI's mpirun on this machine (loopback), as the tests of
 * the binding and of data-parallel training do. Without mpirun on the PATH the calling test is skipped with a
 * message, unless {@code JLLM_MPI_REQUIRED=1} (CI installs Open MPI and sets it): then it fails.
 */
public final class MpiRun {
    private MpiRun() {}

    /** What mpirun printed (stdout and stderr together) and its exit code. */
    public record Result(int exitCode, String output, double seconds) {}

    /** The mpirun executable, or a skipped test. */
    public static String mpirun() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "mpirun");
            if (Files.isExecutable(p)) return p.toString();
        }
        String message = "mpirun not found on the PATH: the multi-rank tests need Open MPI "
                + "(apt-get install openmpi-bin libopenmpi-dev)";
        if ("1".equals(System.getenv("JLLM_MPI_REQUIRED"))) throw new AssertionError(message + " (JLLM_MPI_REQUIRED=1)");
        assumeTrue(false, message);
        return null;
    }

    /**
     * {@code -np N java ... mainClass}: one application context of an mpirun line (several, separated by ":",
     * give ranks different arguments).
     */
    public static List<String> rankCommand(int ranks, Class<?> mainClass) {
        return List.of("-np", Integer.toString(ranks), Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), mainClass.getName());
    }

    /** Runs {@code mainClass args} on {@code ranks} ranks with this JVM and the test class path. */
    public static Result run(int ranks, long timeoutSeconds, Class<?> mainClass, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(mpirun(), "--oversubscribe"));
        if ("root".equals(System.getProperty("user.name"))) cmd.add("--allow-run-as-root");
        cmd.addAll(rankCommand(ranks, mainClass));
        cmd.addAll(List.of(args));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out;
        try (var in = p.getInputStream()) {
            // read on the side so that a full pipe cannot stall mpirun
            var reader = new java.io.ByteArrayOutputStream();
            Thread pump = Thread.ofPlatform().daemon().start(() -> {
                try {
                    in.transferTo(reader);
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                pump.join(5000);
                throw new AssertionError("mpirun did not finish in " + timeoutSeconds + " s: " + cmd + "\n" + reader);
            }
            pump.join(5000);
            out = reader.toByteArray();
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), (System.nanoTime() - t0) / 1e9);
    }
}
