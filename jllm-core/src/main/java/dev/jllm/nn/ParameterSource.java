package dev.jllm.nn;

import dev.jllm.tensor.Tensor;
import java.util.Arrays;

/**
 * Where a module's parameters come from as it is built: {@link #NEW} tensors at the module's starting value (to be
 * initialised or loaded afterwards), or tensors that already hold the values, such as a checkpoint's bfloat16
 * matrices mapped in place (a model built from those allocates nothing for them).
 */
@FunctionalInterface
public interface ParameterSource {

    /**
     * The tensor for the parameter {@code name} (dotted, relative to the module being built) of {@code shape};
     * {@code initial} is the value a new one starts at.
     */
    Tensor get(String name, float initial, int... shape);

    /** New float32 tensors filled with the module's starting value. */
    ParameterSource NEW = (name, initial, shape) -> {
        Tensor t = Tensor.zeros(shape);
        if (initial != 0f) Arrays.fill(t.data(), initial);
        return t;
    };

    /** The source of the sub-module {@code prefix}: its parameters are this source's {@code prefix.name}. */
    default ParameterSource child(String prefix) {
        ParameterSource parent = this;
        return parent == NEW ? NEW : (name, initial, shape) -> parent.get(prefix + "." + name, initial, shape);
    }
}
