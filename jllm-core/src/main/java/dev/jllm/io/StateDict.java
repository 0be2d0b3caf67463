package dev.jllm.io;

import dev.jllm.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Named tensors in a fixed order, like PyTorch's {@code state_dict()}, plus free-form string metadata
 * (safetensors' {@code __metadata__}).
 *
 * <p>It is the hand-over point between the checkpoint formats and the model: every reader in this package returns
 * one, and after {@link GptNames#canonical} the names are those of Hugging Face's GPT-2 without prefix
 * ({@code wte.weight}, {@code h.0.attn.c_attn.weight}, ...), whatever the file used.
 */
public final class StateDict {

    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public StateDict() {}

    /** A state dict holding {@code tensors} in their iteration order (a model's {@code stateDict()}, say). */
    public static StateDict of(Map<String, Tensor> tensors) {
        StateDict dict = new StateDict();
        tensors.forEach(dict::put);
        return dict;
    }

    /** Adds a tensor; a name may appear only once. */
    public StateDict put(String name, Tensor tensor) {
        if (tensors.putIfAbsent(name, tensor) != null) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        return this;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The tensor, or null when absent. */
    public Tensor get(String name) {
        return tensors.get(name);
    }

    /** The tensor; a missing name is an error that names it. */
    public Tensor require(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("missing tensor '" + name + "'");
        return t;
    }

    public Tensor remove(String name) {
        return tensors.remove(name);
    }

    /** Names in insertion order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    /** Name → tensor, in insertion order, read-only. */
    public Map<String, Tensor> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    public int size() {
        return tensors.size();
    }

    /** Mutable metadata (string → string), kept in insertion order. */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public String toString() {
        return "StateDict" + tensors;
    }
}
