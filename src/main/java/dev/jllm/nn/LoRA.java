package dev.jllm.nn;

import dev.jllm.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * LoRA adapters of any module, by name: the adapters themselves live inside each {@link Linear}
 * ({@link Linear#addLoRA}); their parameters are named {@code ...lora.A}, {@code ...lora.B} or {@code ...lora.0.A},
 * ..., and are saved apart from the model, as {@value #FILE}.
 */
public final class LoRA {
    private LoRA() {}

    /** The file that holds a model's adapters alone (names as {@link Module#namedParameters}). */
    public static final String FILE = "adapters.safetensors";

    /** Whether a parameter name belongs to a LoRA adapter. */
    public static boolean isAdapter(String name) {
        return name.contains(".lora.");
    }

    /** Copies of the module's adapter parameters, by name. */
    public static Map<String, Tensor> adapters(Module module) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        module.namedParameters().forEach((name, p) -> {
            if (isAdapter(name)) out.put(name, Tensor.of(p.data().clone(), p.shape()));
        });
        return out;
    }

    /**
     * Copies saved adapters into the module's adapters, which must match them one for one.
     *
     * @param source names the saved tensors in errors (a file)
     */
    public static void load(Module module, Map<String, Tensor> saved, String source) {
        Map<String, Tensor> params = module.namedParameters();
        for (String name : saved.keySet()) {
            if (!params.containsKey(name)) throw new IllegalArgumentException(source + ": unexpected tensor '" + name + "'");
        }
        params.forEach((name, p) -> {
            if (!isAdapter(name)) return;
            Tensor t = saved.get(name);
            if (t == null) throw new IllegalArgumentException(source + ": missing tensor '" + name + "'");
            if (!Arrays.equals(t.shape(), p.shape())) {
                throw new IllegalArgumentException(source + ": tensor '" + name + "' has shape " + t.shapeString()
                        + ", the model expects " + p.shapeString());
            }
            System.arraycopy(t.data(), 0, p.data(), 0, p.size());
        });
    }
}
