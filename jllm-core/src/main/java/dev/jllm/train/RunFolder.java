package dev.jllm.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.Setting;
import dev.jllm.SettingException;
import dev.jllm.io.AtomicFiles;
import dev.jllm.io.ModelFiles;
import dev.jllm.model.CausalLM;
import dev.jllm.nn.LoRA;
import dev.jllm.optim.AdamW;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The folder a training run writes, which is also a model folder:
 * <pre>
 *   config.json          the model's Hugging Face config, plus a "training" object with the run's settings
 *   model.safetensors    the latest weights (Hugging Face layout), so that --model RUN_DIR loads them
 *   adapters.safetensors with LoRA: the adapters alone (model.safetensors then has them merged in)
 *   vocab.json, merges.txt   the tokenizer
 *   metrics.csv          step, tokens_seen, lr, train_loss, val_loss, tokens_per_second (the job's columns)
 *   loss.png             training and validation loss against steps and tokens seen; NAME.png per further metric
 *   samples.txt          the sample generated after each epoch
 *   checkpoints/step-N/  model + optimizer.safetensors + trainer_state.json; only the latest is kept
 * </pre>
 * A checkpoint is written into a hidden temporary folder and renamed into place, so a crash or Ctrl-C never
 * leaves a half-written one: the previous one stays until the new one is complete. Every other file is written
 * atomically too, and each checkpoint keeps a copy of the run's settings ({@value Checkpoint#TRAINING}), so a
 * {@code kill -9} at any moment leaves a run that {@code --resume} continues. While a run trains, it holds a lock on
 * the folder's {@value #LOCK} file: a second run in the same folder is refused. Temporary files that a killed run
 * left behind are removed when the folder is next opened.
 */
public final class RunFolder implements AutoCloseable {

    public static final String CONFIG = ModelFiles.CONFIG;
    public static final String METRICS = "metrics.csv";
    public static final String PLOT = MetricsPlot.LOSS;
    public static final String SAMPLES = "samples.txt";
    public static final String CHECKPOINTS = "checkpoints";
    /** Held (an OS file lock) while a run trains in the folder; holds the pid of that process. */
    public static final String LOCK = ".lock";
    private static final String STEP_PREFIX = "step-";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final Lock lock;
    private final MetricsLog metrics;
    /** The run's settings, as written by {@link #writeModel} or read when the run was opened. */
    private JsonNode training;

    private RunFolder(Path dir, Lock lock, long keepMetricsUpTo, JsonNode training, MetricsLog.Columns columns)
            throws IOException {
        this.dir = dir;
        this.lock = lock;
        this.training = training;
        this.metrics = new MetricsLog(dir.resolve(METRICS), keepMetricsUpTo, columns);
    }

    /**
     * A new run in {@code dir}, which must not hold a run already. A folder where a run was started but killed
     * before it wrote its settings holds nothing to resume and is reused.
     */
    public static RunFolder create(Path dir) throws IOException {
        return create(dir, MetricsLog.Columns.tokens(List.of()));
    }

    /** A new run whose metrics.csv has {@code columns} (the further ones are its {@link TrainingData#metrics()}). */
    public static RunFolder create(Path dir, MetricsLog.Columns columns) throws IOException {
        if (dir.toString().isEmpty()) throw new IllegalArgumentException("the run folder's name is empty");
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new SettingException(dir + " is a file, not a folder; choose another ", Setting.RUN_FOLDER);
        }
        Files.createDirectories(dir);
        Lock lock = Lock.acquire(dir);
        try {
            if (!checkpoints(dir).isEmpty()) {
                throw new SettingException(dir + " already holds a run; continue it with ", Setting.RESUME, " " + dir
                        + " or choose another ", Setting.RUN_FOLDER);
            }
            if (savedTraining(dir) != null) {
                throw new SettingException(dir + " holds a run that stopped before its first checkpoint; start it"
                        + " again from step 0 with ", Setting.RESUME, " " + dir + ", or choose another ", Setting.RUN_FOLDER);
            }
            removeTemporaryFiles(dir);
            return new RunFolder(dir, lock, -1, null, columns);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * An existing run, to resume from its latest checkpoint (metrics after that checkpoint are dropped); a run that
     * has no checkpoint yet starts again from step 0 ({@link #latestCheckpoint()} is then empty).
     */
    public static RunFolder open(Path dir) throws IOException {
        return open(dir, MetricsLog.Columns.tokens(List.of()));
    }

    /** {@link #open(Path)} for a run whose metrics.csv has {@code columns}. */
    public static RunFolder open(Path dir, MetricsLog.Columns columns) throws IOException {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": no such run folder");
        Lock lock = Lock.acquire(dir);
        try {
            List<Path> checkpoints = checkpoints(dir);
            JsonNode training = training(dir);
            removeTemporaryFiles(dir);
            return new RunFolder(dir, lock, checkpoints.isEmpty() ? -1 : stepOf(checkpoints.getLast()), training, columns);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    public Path dir() {
        return dir;
    }

    public MetricsLog metrics() {
        return metrics;
    }

    /** The run's settings, saved under "training" in config.json and in each checkpoint. */
    public JsonNode training() {
        if (training == null) throw new IllegalStateException(dir + ": the run's settings are not written yet");
        return training;
    }

    /**
     * Writes the language model (root of the folder, Hugging Face layout) and config.json with the training settings.
     * A model with LoRA adapters is written merged, and its adapters alone beside it ({@value LoRA#FILE}).
     */
    public void writeModel(CausalLM model, JsonNode training) throws IOException {
        writeModel(TrainedModel.language(model, null), training);
    }

    /**
     * Writes the model at the root of the folder ({@link TrainedModel#writeModel}) and adds the training settings to
     * its config.json (they are also kept in every checkpoint, so that a kill between the two writes loses nothing).
     */
    public void writeModel(TrainedModel<?> model, JsonNode training) throws IOException {
        model.writeModel(dir);
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve(CONFIG).toFile());
        config.set("training", training);
        AtomicFiles.writeString(dir.resolve(CONFIG), JSON.writeValueAsString(config) + "\n");
        this.training = training;
    }

    /** Writes a checkpoint of step {@code state.step()}, then the same weights at the root, then the plot. */
    public void saveCheckpoint(TrainedModel<?> model, AdamW optimizer, Trainer.State state) throws IOException {
        Path root = dir.resolve(CHECKPOINTS);
        Files.createDirectories(root);
        String name = String.format(Locale.ROOT, "%s%08d", STEP_PREFIX, state.step());
        Path tmp = root.resolve("." + name + ".tmp"); // hidden: never taken for a complete checkpoint
        deleteTree(tmp);
        Files.createDirectories(tmp);
        Checkpoint.write(tmp, model, optimizer, state, training());
        Path target = root.resolve(name);
        if (Files.exists(target)) { // moved aside in one step, so no half-deleted folder ever carries the name
            Path old = root.resolve("." + name + ".old");
            deleteTree(old);
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        for (Path old : checkpoints(dir)) {
            if (!old.equals(target)) deleteTree(old);
        }
        removeTemporaryFiles(dir);
        writeModel(model, training());
        writePlot();
    }

    /** The complete checkpoints, oldest first. */
    private static List<Path> checkpoints(Path dir) throws IOException {
        Path root = dir.resolve(CHECKPOINTS);
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith(STEP_PREFIX) && Files.isDirectory(p)
                            && Files.isRegularFile(p.resolve(Checkpoint.STATE)))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
    }

    /**
     * The settings of the run in {@code dir}, read without opening the run: config.json's "training", else the copy
     * in the latest checkpoint (a kill can leave config.json without them).
     */
    public static JsonNode training(Path dir) throws IOException {
        JsonNode training = savedTraining(dir);
        List<Path> checkpoints = checkpoints(dir);
        if (training == null && !checkpoints.isEmpty()) training = checkpointTraining(checkpoints.getLast());
        if (training == null) {
            throw new SettingException(dir + " holds no run to resume (neither its " + CONFIG
                    + " nor a checkpoint holds the run's \"training\" settings: a run stopped before it began);"
                    + " start it again with ", Setting.RUN_FOLDER, " " + dir);
        }
        return training;
    }

    /** The "training" settings of the folder's config.json, or null when it has none (or cannot be read). */
    private static JsonNode savedTraining(Path dir) {
        try {
            JsonNode training = JSON.readTree(dir.resolve(CONFIG).toFile()).get("training");
            return training == null || training.isNull() ? null : training;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static JsonNode checkpointTraining(Path checkpoint) throws IOException {
        Path file = checkpoint.resolve(Checkpoint.TRAINING);
        return Files.isRegularFile(file) ? JSON.readTree(file.toFile()) : null;
    }

    /**
     * Deletes what a killed run left half-written: hidden temporary files ({@code .NAME.PID.N.tmp}) and temporary
     * checkpoint folders. Called with the folder locked, so no live run is writing them.
     */
    private static void removeTemporaryFiles(Path dir) throws IOException {
        for (Path folder : List.of(dir, dir.resolve(CHECKPOINTS))) {
            if (!Files.isDirectory(folder)) continue;
            List<Path> stale;
            try (Stream<Path> s = Files.list(folder)) {
                stale = s.filter(p -> {
                    String n = p.getFileName().toString();
                    return n.endsWith(".tmp") || (n.startsWith("." + STEP_PREFIX) && n.endsWith(".old"));
                }).toList();
            }
            for (Path p : stale) deleteTree(p);
        }
    }

    /** The latest complete checkpoint folder. */
    public Optional<Path> latestCheckpoint() {
        return latestCheckpoint(dir);
    }

    /** The latest complete checkpoint folder of the run in {@code dir}, read without opening the run. */
    public static Optional<Path> latestCheckpoint(Path dir) {
        try {
            List<Path> all = checkpoints(dir);
            return all.isEmpty() ? Optional.empty() : Optional.of(all.getLast());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The step of the latest complete checkpoint. */
    public Optional<Long> latestCheckpointStep() {
        return latestCheckpoint().map(RunFolder::stepOf);
    }

    private static long stepOf(Path checkpoint) {
        return Long.parseLong(checkpoint.getFileName().toString().substring(STEP_PREFIX.length()));
    }

    public Path checkpointDir() {
        return latestCheckpoint().orElse(dir.resolve(CHECKPOINTS));
    }

    public void appendSample(int epoch, long step, String text) throws IOException {
        String entry = String.format(Locale.ROOT, "=== epoch %d, step %d ===%n%s%n%n", epoch, step, text);
        Path file = dir.resolve(SAMPLES);
        String before = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        AtomicFiles.writeString(file, before + entry); // small; rewritten whole, so a kill never leaves half an entry
    }

    public void writePlot() throws IOException {
        MetricsPlot.write(metrics.rows(), metrics.columns(), dir);
    }

    @Override
    public void close() throws IOException {
        try {
            metrics.close();
        } finally {
            lock.close();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }

    /** The lock a training run holds on its folder; released when the process ends, even by kill -9. */
    private record Lock(FileChannel channel, FileLock lock) implements AutoCloseable {

        static Lock acquire(Path dir) throws IOException {
            FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) { // this process trains there already
                lock = null;
            }
            if (lock == null) {
                String pid = "";
                try {
                    pid = Files.readString(dir.resolve(LOCK), StandardCharsets.UTF_8).strip();
                } catch (IOException ignored) {
                    // the message just names no process
                }
                ch.close();
                throw new IllegalArgumentException(dir + " is in use by a training run that is still going"
                        + (pid.isEmpty() ? "" : " (process " + pid + ")") + "; wait for it to end, or stop it first");
            }
            ch.truncate(0);
            ch.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            return new Lock(ch, lock);
        }

        @Override
        public void close() throws IOException {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }
}
