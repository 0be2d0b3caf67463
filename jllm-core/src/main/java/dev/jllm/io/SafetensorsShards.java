package dev.jllm.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A model folder's weights as Hugging Face publishes them: one {@code model.safetensors}, or shards listed by
 * {@code model.safetensors.index.json} (its {@code weight_map} names each tensor's file). Every file is
 * memory-mapped and its header validated when opened; a shard the index names that is missing, or a tensor not
 * where the index says, is an error naming it. Close to unmap.
 */
public final class SafetensorsShards implements AutoCloseable {

    public static final String INDEX = "model.safetensors.index.json";

    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> byName;

    private SafetensorsShards(List<SafetensorsFile> files, Map<String, SafetensorsFile> byName) {
        this.files = files;
        this.byName = byName;
    }

    /** Whether {@code dir} holds a single or sharded safetensors checkpoint. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(ModelFiles.WEIGHTS)) || Files.isRegularFile(dir.resolve(INDEX));
    }

    public static SafetensorsShards open(Path dir) throws IOException {
        return open(dir, false);
    }

    /**
     * The checkpoint in {@code dir}, mapped for as long as its tensors' bytes are reachable (closing does nothing):
     * for bfloat16 weights a model reads in place ({@link SafetensorsFile#openKept}).
     */
    public static SafetensorsShards openKept(Path dir) throws IOException {
        return open(dir, true);
    }

    private static SafetensorsShards open(Path dir, boolean kept) throws IOException {
        Path single = dir.resolve(ModelFiles.WEIGHTS), index = dir.resolve(INDEX);
        List<SafetensorsFile> files = new ArrayList<>();
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        try {
            if (Files.isRegularFile(index)) {
                Map<String, String> weightMap = weightMap(index);
                Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
                for (String shard : new TreeSet<>(weightMap.values())) {
                    Path p = dir.resolve(shard);
                    if (!Files.isRegularFile(p)) {
                        throw new IllegalArgumentException(dir + ": shard " + shard + " named by " + INDEX + " is missing");
                    }
                    SafetensorsFile f = kept ? SafetensorsFile.openKept(p) : SafetensorsFile.open(p);
                    files.add(f);
                    shards.put(shard, f);
                }
                for (var e : weightMap.entrySet()) {
                    SafetensorsFile f = shards.get(e.getValue());
                    if (!f.names().contains(e.getKey())) {
                        throw new IllegalArgumentException(f.file() + ": no tensor '" + e.getKey() + "' although " + INDEX
                                + " puts it there");
                    }
                    byName.put(e.getKey(), f);
                }
            } else if (Files.isRegularFile(single)) {
                SafetensorsFile f = kept ? SafetensorsFile.openKept(single) : SafetensorsFile.open(single);
                files.add(f);
                for (String name : f.names()) byName.put(name, f);
            } else {
                throw new IllegalArgumentException(dir + ": no " + ModelFiles.WEIGHTS + " or " + INDEX);
            }
            return new SafetensorsShards(files, byName);
        } catch (IOException | RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static Map<String, String> weightMap(Path index) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(TextFiles.read(index));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(index + ": malformed JSON: " + e.getOriginalMessage());
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) throw new IllegalArgumentException(index + ": no weight_map object");
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            var e = it.next();
            String shard = e.getValue().asText();
            if (shard.contains("/") || shard.contains("\\") || shard.startsWith(".")) {
                throw new IllegalArgumentException(index + ": shard name '" + shard + "' is not a file in the folder");
            }
            out.put(e.getKey(), shard);
        }
        return out;
    }

    /** Every tensor name, in index (or file) order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(byName.keySet());
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    public SafetensorsFile.Entry entry(String name) {
        return file(name).entries().get(name);
    }

    /** Reads one tensor, converted to float32. */
    public Tensor read(String name) {
        return file(name).read(name);
    }

    /** One tensor's bytes, in place in its mapped file. */
    public MemorySegment bytes(String name) {
        return file(name).bytes(name);
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile f = byName.get(name);
        if (f == null) throw new IllegalArgumentException("no tensor '" + name + "' in the checkpoint");
        return f;
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
