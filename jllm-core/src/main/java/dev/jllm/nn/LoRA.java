package dev.jllm.nn;

import dev.jllm.tensor.Tensor;
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
        return module.copyParameters(LoRA::isAdapter);
    }

    /**
     * Copies saved adapters into the module's adapters, which must match them one for one.
     *
     * @param source names the saved tensors in errors (a file)
     */
    public static void load(Module module, Map<String, Tensor> saved, String source) {
        module.loadParameters(saved, LoRA::isAdapter, source);
    }
}
