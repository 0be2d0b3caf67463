package dev.jllm.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.io.AtomicFiles;
import dev.jllm.io.ModelFiles;
import dev.jllm.io.Safetensors;
import dev.jllm.model.GptLoRA;
import dev.jllm.model.GptModel;
import dev.jllm.optim.AdamW;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The folder a training run writes, which is also a model folder:
 * <pre>
 *   config.json          the model's Hugging Face config, plus a "training" object with the run's settings
 *   model.safetensors    the latest weights (Hugging Face layout), so that --model RUN_DIR loads them
 *   adapters.safetensors with LoRA: the adapters alone (model.safetensors then has them merged in)
 *   vocab.json, merges.txt   the tokenizer
 *   metrics.csv          step, tokens_seen, lr, train_loss, val_loss, tokens_per_second
 *   loss.png             training and validation loss against steps and tokens seen
 *   samples.txt          the sample generated after each epoch
 *   checkpoints/step-N/  model + optimizer.safetensors + trainer_state.json; only the latest is kept
 * </pre>
 * A checkpoint is written into a hidden temporary folder and renamed into place, so a crash or Ctrl-C never
 * leaves a half-written one: the previous one stays until the new one is complete.
 */
public final class RunFolder implements AutoCloseable {

    public static final String CONFIG = ModelFiles.CONFIG;
    public static final String METRICS = "metrics.csv";
    public static final String PLOT = "loss.png";
    public static final String SAMPLES = "samples.txt";
    public static final String CHECKPOINTS = "checkpoints";
    private static final String STEP_PREFIX = "step-";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final MetricsLog metrics;

    private RunFolder(Path dir, long keepMetricsUpTo) throws IOException {
        this.dir = dir;
        this.metrics = new MetricsLog(dir.resolve(METRICS), keepMetricsUpTo);
    }

    /** A new run in {@code dir}, which must not hold a run already. */
    public static RunFolder create(Path dir) throws IOException {
        if (Files.exists(dir.resolve(CHECKPOINTS)) || Files.exists(dir.resolve(METRICS))) {
            throw new IllegalArgumentException(dir + " already holds a run; continue it with --resume " + dir
                    + " or choose another --out");
        }
        Files.createDirectories(dir);
        return new RunFolder(dir, -1);
    }

    /** An existing run, to resume from its latest checkpoint (metrics after that checkpoint are dropped). */
    public static RunFolder open(Path dir) throws IOException {
        if (!Files.isRegularFile(dir.resolve(CONFIG))) {
            throw new IllegalArgumentException(dir + " is not a run folder (it has no " + CONFIG + ")");
        }
        List<Path> checkpoints = checkpoints(dir);
        if (checkpoints.isEmpty()) throw new IllegalArgumentException(dir + " has no checkpoint to resume from");
        return new RunFolder(dir, stepOf(checkpoints.getLast()));
    }

    public Path dir() {
        return dir;
    }

    public MetricsLog metrics() {
        return metrics;
    }

    /** The run's settings, saved under "training" in config.json. */
    public JsonNode training() throws IOException {
        return training(dir);
    }

    /** The settings of the run in {@code dir}, read without opening the run. */
    public static JsonNode training(Path dir) throws IOException {
        JsonNode training = JSON.readTree(dir.resolve(CONFIG).toFile()).get("training");
        if (training == null) throw new IllegalArgumentException(dir.resolve(CONFIG) + " has no \"training\" settings");
        return training;
    }

    /**
     * Writes the model (root of the folder, Hugging Face layout) and config.json with the training settings. A
     * model with LoRA adapters is written merged, and its adapters alone beside it ({@value GptLoRA#FILE}).
     */
    public void writeModel(GptModel model, JsonNode training) throws IOException {
        boolean lora = GptLoRA.hasLoRA(model);
        GptModel plain = lora ? GptLoRA.merged(model) : model;
        ModelFiles.save(dir, plain.config, Checkpoint.stateDict(plain.stateDict()));
        if (lora) Safetensors.write(dir.resolve(GptLoRA.FILE), Checkpoint.stateDict(GptLoRA.adapters(model)));
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve(CONFIG).toFile());
        config.set("training", training);
        AtomicFiles.writeString(dir.resolve(CONFIG), JSON.writeValueAsString(config) + "\n");
    }

    /** Writes a checkpoint of step {@code state.step()}, then the same weights at the root, then the plot. */
    public void saveCheckpoint(GptModel model, AdamW optimizer, Trainer.State state) throws IOException {
        Path root = dir.resolve(CHECKPOINTS);
        Files.createDirectories(root);
        String name = String.format(Locale.ROOT, "%s%08d", STEP_PREFIX, state.step());
        Path tmp = root.resolve("." + name + ".tmp"); // hidden: never taken for a complete checkpoint
        deleteTree(tmp);
        Files.createDirectories(tmp);
        Checkpoint.write(tmp, model, optimizer, state);
        Path target = root.resolve(name);
        deleteTree(target);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        for (Path old : checkpoints(dir)) {
            if (!old.equals(target)) deleteTree(old);
        }
        writeModel(model, training());
        writePlot();
    }

    /** The complete checkpoints, oldest first. */
    private static List<Path> checkpoints(Path dir) throws IOException {
        Path root = dir.resolve(CHECKPOINTS);
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith(STEP_PREFIX) && Files.isDirectory(p))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
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
        Files.writeString(dir.resolve(SAMPLES), entry, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    public void writePlot() throws IOException {
        LossPlot.write(metrics.rows(), dir.resolve(PLOT));
    }

    @Override
    public void close() throws IOException {
        metrics.close();
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
