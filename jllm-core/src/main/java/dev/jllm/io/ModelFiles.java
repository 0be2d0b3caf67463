package dev.jllm.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jllm.model.GptConfig;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Loads a GPT-2 model folder in any of the layouts jllm knows, and saves one in Hugging Face's layout.
 *
 * <p>Layouts, tried in this order:
 * <ol>
 *   <li>Hugging Face: {@code model.safetensors} + {@code config.json} (also jllm's own models);</li>
 *   <li>OpenAI's TensorFlow checkpoint: {@code model.ckpt.index} + {@code model.ckpt.data-00000-of-00001} +
 *       {@code hparams.json};</li>
 *   <li>a single other {@code .safetensors} file, such as the book's {@code gpt2-small-124M.safetensors}, with an
 *       optional {@code config.json} (else the sizes are read off the tensors).</li>
 * </ol>
 * A path to a {@code .safetensors} file works too. The weights come back under the canonical names and are checked
 * against the config: a missing, unexpected or misshapen tensor is an error that names it.
 */
public final class ModelFiles {

    public static final String WEIGHTS = "model.safetensors";
    public static final String CONFIG = "config.json";
    public static final String TF_PREFIX = "model.ckpt";
    public static final String TF_HPARAMS = "hparams.json";

    private ModelFiles() {}

    /** Whether {@code dir} holds a model jllm can load (without reading it). */
    public static boolean isModel(Path dir) {
        try {
            weightsFile(dir);
            return true;
        } catch (IllegalArgumentException | IOException e) {
            return false;
        }
    }

    /** The model at {@code path} (a folder, or a .safetensors file): its config and canonical weights, checked. */
    public static GptCheckpoint load(Path path) throws IOException {
        if (!Files.exists(path)) throw new IllegalArgumentException(path + ": no such file or folder");
        Path weights = weightsFile(path);
        Path dir = weights.toAbsolutePath().getParent();
        if (weights.getFileName().toString().equals(TF_PREFIX)) {
            Path hparams = dir.resolve(TF_HPARAMS);
            if (!Files.isRegularFile(hparams)) throw new IllegalArgumentException(dir + ": TensorFlow checkpoint without " + TF_HPARAMS);
            return finish(GptConfigJson.read(hparams), TfCheckpoint.read(weights), weights);
        }
        StateDict raw = new StateDict();
        try (SafetensorsFile file = SafetensorsFile.open(weights)) {
            for (String name : file.names()) if (!GptNames.isBuffer(name)) raw.put(name, file.read(name));
            raw.metadata().putAll(file.metadata());
        }
        Path configFile = dir.resolve(CONFIG);
        return finish(Files.isRegularFile(configFile) ? GptConfigJson.read(configFile) : null, raw, weights);
    }

    /**
     * Saves {@code weights} (canonical names) and {@code config} in Hugging Face's layout: {@code config.json} and
     * {@code model.safetensors}, the tensors named as {@code GPT2LMHeadModel.save_pretrained} names them
     * ({@code transformer.} prefix, {@code lm_head.weight} only when untied). Tokenizer files are not written here.
     */
    public static void save(Path dir, GptConfig config, StateDict weights) throws IOException {
        save(dir, config, weights, Map.of());
    }

    /** {@link #save(Path, GptConfig, StateDict)} with further top-level fields in config.json, written with it. */
    public static void save(Path dir, GptConfig config, StateDict weights, Map<String, ? extends JsonNode> extraConfig)
            throws IOException {
        GptNames.check(config, withZeroQkvBias(config, weights, false));
        StateDict out = new StateDict();
        out.metadata().put("format", "pt"); // transformers refuses safetensors files without it
        StateDict full = withZeroQkvBias(config, weights, true);
        for (String name : GptNames.expectedShapes(config.withQkvBias(true)).keySet()) {
            out.put(name.equals("lm_head.weight") ? name : "transformer." + name, full.require(name));
        }
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve(WEIGHTS), out);
        GptConfigJson.write(dir.resolve(CONFIG), config, extraConfig);
    }

    /** The weights file (or TensorFlow checkpoint prefix) that {@code path} points to. */
    static Path weightsFile(Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            if (path.getFileName().toString().endsWith(".safetensors")) return path;
            throw new IllegalArgumentException(path + ": not a .safetensors file or a model folder");
        }
        if (!Files.isDirectory(path)) throw new IllegalArgumentException(path + ": no such file or folder");
        if (Files.isRegularFile(path.resolve(WEIGHTS))) return path.resolve(WEIGHTS);
        if (TfCheckpoint.exists(path.resolve(TF_PREFIX))) return path.resolve(TF_PREFIX);
        if (Files.exists(path.resolve("model.safetensors.index.json"))) {
            throw new IllegalArgumentException(path + ": sharded safetensors checkpoints are not supported");
        }
        List<Path> candidates;
        try (Stream<Path> files = Files.list(path)) {
            candidates = files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        }
        if (candidates.size() == 1) return candidates.get(0);
        if (candidates.size() > 1) {
            throw new IllegalArgumentException(path + ": several .safetensors files and no " + WEIGHTS + "; name one: "
                    + candidates.stream().map(p -> p.getFileName().toString()).toList());
        }
        try (Stream<Path> files = Files.list(path)) {
            if (files.anyMatch(p -> p.getFileName().toString().endsWith(".pth"))) {
                throw new IllegalArgumentException(path + ": PyTorch .pth files are not supported; save the state dict"
                        + " as safetensors (safetensors.torch.save_file)");
            }
        }
        throw new IllegalArgumentException(path + ": no model found (expected " + WEIGHTS + ", " + TF_PREFIX
                + ".index or a .safetensors file)");
    }

    /**
     * Renames {@code raw}, infers the config from the tensors when there is none, reconciles the optional tensors
     * with the config, then checks every tensor's shape.
     */
    private static GptCheckpoint finish(GptConfig configOrNull, StateDict raw, Path source) {
        StateDict weights = GptNames.canonical(raw);
        GptConfig config = configOrNull != null ? configOrNull : infer(source, weights);
        StateDict reconciled = withZeroQkvBias(config, weights, false);
        if (config.tiedHead() && reconciled.contains("lm_head.weight")) {
            if (!sameValues(reconciled.get("lm_head.weight"), reconciled.get("wte.weight"))) {
                throw new IllegalArgumentException(source + ": the config ties the output head to wte.weight, but"
                        + " lm_head.weight holds different values");
            }
            reconciled.remove("lm_head.weight");
        }
        try {
            GptNames.check(config, reconciled);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage());
        }
        StateDict ordered = new StateDict();
        for (String name : GptNames.expectedShapes(config).keySet()) {
            requireFinite(source, name, reconciled.get(name));
            ordered.put(name, reconciled.get(name));
        }
        ordered.metadata().putAll(weights.metadata());
        return new GptCheckpoint(config, ordered, source, GptNames.naming(raw));
    }

    /**
     * Hugging Face's GPT-2 always has query/key/value biases. A model without them is saved with zero biases (so
     * other tools load it unchanged) and {@code qkv_bias: false} in its config; this adds those zeros
     * ({@code add}) or drops them again (when they are all zero) on load.
     */
    private static StateDict withZeroQkvBias(GptConfig config, StateDict weights, boolean add) {
        if (config.qkvBias()) return weights;
        StateDict out = new StateDict();
        weights.tensors().forEach(out::put);
        for (int i = 0; i < config.nLayers(); i++) {
            String name = "h." + i + ".attn.c_attn.bias";
            Tensor bias = out.get(name);
            if (add && bias == null) out.put(name, Tensor.zeros(3 * config.embDim()));
            if (!add && bias != null && isZero(bias)) out.remove(name);
        }
        return out;
    }

    /** Sizes read off the tensors, for a weights file that comes without a config. */
    private static GptConfig infer(Path source, StateDict w) {
        int[] wte = w.require("wte.weight").shape();
        int[] wpe = w.require("wpe.weight").shape();
        int emb = wte[1];
        int heads = switch (emb) { // the head count is not visible in any shape: take GPT-2's
            case 768 -> 12;
            case 1024 -> 16;
            case 1280 -> 20;
            case 1600 -> 25;
            default -> throw new IllegalArgumentException(source + ": embedding width " + emb + " is not a GPT-2 size,"
                    + " so the number of heads is unknown; put a " + CONFIG + " beside it");
        };
        int layers = 0;
        while (w.contains("h." + layers + ".ln_1.weight")) layers++;
        boolean qkvBias = w.contains("h.0.attn.c_attn.bias");
        Tensor head = w.get("lm_head.weight");
        boolean tied = head == null || sameValues(head, w.get("wte.weight"));
        return new GptConfig(wte[0], wpe[0], emb, heads, layers, GptConfigJson.DEFAULT_DROP, qkvBias, tied);
    }

    /** A NaN or infinite weight would load silently and make every output NaN ("!!!!!"): refused, by name. */
    private static void requireFinite(Path source, String name, Tensor t) {
        float[] v = t.data();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException(source + ": tensor '" + name + "' holds " + v[i] + " at index " + i
                        + " (a corrupt file, or weights saved after training diverged)");
            }
        }
    }

    private static boolean isZero(Tensor t) {
        for (float v : t.data()) if (v != 0f) return false;
        return true;
    }

    private static boolean sameValues(Tensor a, Tensor b) {
        return Arrays.equals(a.shape(), b.shape()) && Arrays.equals(a.data(), b.data());
    }
}
